import { z } from 'zod';
import { LocalId } from './common.js';

export const WorkspaceUser = z.object({
  id: LocalId,
  name: z.string().min(1),
  email: z.string().min(3),
});
export type WorkspaceUser = z.infer<typeof WorkspaceUser>;

export const StageLists = z.object({
  people: z.array(z.string().min(1)).default([]),
  companies: z.array(z.string().min(1)).default([]),
  deals: z.array(z.string().min(1)).default([]),
});
export type StageLists = z.infer<typeof StageLists>;

/** One tenant: a sales team with its users, connected mailboxes and stage lists. */
export const Workspace = z.object({
  id: LocalId,
  name: z.string().min(1).max(200),
  /** Domains of the team's connected mailboxes (E2 internal mail, E3 never-created addresses). */
  mailboxDomains: z.array(z.string().min(1)).default([]),
  users: z.array(WorkspaceUser).default([]),
  stages: StageLists.default({ people: [], companies: [], deals: [] }),
});
export type Workspace = z.infer<typeof Workspace>;
