/*
 * The parts of @crmsync/core the UI uses, imported by file so the bundle carries only them (the
 * package index would bring every schema and the public-suffix list). All are pure and
 * browser-safe: the template renderer is the one the engine runs at push, so the preview is exact.
 */
export { renderTitle, TEMPLATE_FILTERS } from '../../core/src/policy/templates.js';
export { TEMPLATE_VARIABLES, type TemplateActivity } from '../../core/src/settings/template-variables.js';
export {
  MAPPABLE_LOCAL_FIELDS,
  MAPPED_OBJECTS,
  type MappedObject,
} from '../../core/src/settings/field-maps.js';
