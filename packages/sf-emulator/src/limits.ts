// The daily API request budget per org (one count per counted request; a composite request is
// one) and the `GET /limits` resource in Salesforce's shape (reference §1.16).
import type { RouteRegistry } from './contracts.js';
import type { OrgClock } from './org/org-clock.js';

export class ApiUsage {
  private usedToday = 0;
  private day: string;

  constructor(
    public max: number,
    private readonly clock: OrgClock,
  ) {
    this.day = this.today();
  }

  private today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** The budget renews when the org's clock crosses midnight UTC. */
  private roll(): void {
    const today = this.today();
    if (today !== this.day) {
      this.day = today;
      this.usedToday = 0;
    }
  }

  get used(): number {
    this.roll();
    return this.usedToday;
  }

  get exhausted(): boolean {
    return this.used >= this.max;
  }

  count(): void {
    this.roll();
    this.usedToday++;
  }

  /** Spends what is left (the "limit exhausted" fault) or sets the counter. */
  setUsed(used: number): void {
    this.roll();
    this.usedToday = Math.max(0, used);
  }

  header(): string {
    return `api-usage=${this.used}/${this.max}`;
  }
}

const fixedLimits: Record<string, number> = {
  DailyAsyncApexExecutions: 250000,
  DailyBulkApiBatches: 15000,
  DailyBulkV2QueryFileStorageMB: 976562,
  DailyBulkV2QueryJobs: 10000,
  DailyDurableStreamingApiEvents: 10000,
  DailyGenericStreamingApiEvents: 10000,
  DailyStreamingApiEvents: 10000,
  DailyWorkflowEmails: 1000,
  DataStorageMB: 5,
  FileStorageMB: 20,
  HourlyODataCallout: 10000,
  HourlyTimeBasedWorkflow: 50,
  MassEmail: 10,
  PermissionSets: 1500,
  SingleEmail: 15,
  StreamingApiConcurrentClients: 20,
};

export function registerLimitsRoutes(routes: RouteRegistry, usageOf: (orgId: string) => ApiUsage): void {
  // Salesforce does not charge the limits resource itself against the budget.
  routes.add(
    'GET',
    /^\/limits\/?$/,
    (req) => {
      const usage = usageOf(req.org.orgId);
      const body: Record<string, unknown> = {
        ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
        ConcurrentSyncReportRuns: { Max: 20, Remaining: 20 },
        DailyApiRequests: { Max: usage.max, Remaining: Math.max(0, usage.max - usage.used) },
      };
      for (const [name, max] of Object.entries(fixedLimits)) body[name] = { Max: max, Remaining: max };
      return { status: 200, body };
    },
    { counted: false },
  );
}
