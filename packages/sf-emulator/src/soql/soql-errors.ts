// Every error the SOQL engine answers, worded as Salesforce words them (reference §1.14). Messages
// about a name written in the query carry Salesforce's caret prefix when the name can be located.
import { SalesforceError } from '../contracts.js';
import { messageAtWord } from './soql-text.js';

const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

const bad = (code: string, message: string) => new SalesforceError(400, code, message);

export const soqlErrors = {
  malformed: (message: string) => bad('MALFORMED_QUERY', message),
  missingQuery: () =>
    bad('MALFORMED_QUERY', 'A query string has to be specified: pass the SOQL in the q parameter.'),
  unsupported: (construct: string) =>
    bad(
      'MALFORMED_QUERY',
      `${construct} is not supported by the Salesforce emulator; rewrite the query without it.`,
    ),
  unknownObject: (soql: string, name: string) =>
    bad(
      'INVALID_TYPE',
      messageAtWord(soql, name, `sObject type '${name}' is not supported. ${CUSTOM_OBJECT_HINT}`),
    ),
  unknownField: (soql: string, written: string, name: string, objectName: string, from = 0) =>
    bad(
      'INVALID_FIELD',
      messageAtWord(
        soql,
        written,
        `No such column '${name}' on entity '${objectName}'. ${CUSTOM_FIELD_HINT}`,
        from,
      ),
    ),
  unknownRelationship: (soql: string, written: string, name: string, from = 0) =>
    bad(
      'INVALID_FIELD',
      messageAtWord(
        soql,
        written,
        `Didn't understand relationship '${name}' in field path. ${CUSTOM_RELATIONSHIP_HINT}`,
        from,
      ),
    ),
  notFilterable: (soql: string, written: string, name: string, from = 0) =>
    bad(
      'INVALID_FIELD',
      messageAtWord(soql, written, `field '${name}' can not be filtered in a query call`, from),
    ),
  notSortable: (soql: string, written: string, name: string, from = 0) =>
    bad(
      'INVALID_FIELD',
      messageAtWord(soql, written, `field '${name}' can not be sorted in a query call`, from),
    ),
  duplicateField: (soql: string, written: string) =>
    bad('MALFORMED_QUERY', messageAtWord(soql, written, `duplicate field selected: ${written}`)),
  /** Salesforce answers INVALID_FIELD when a literal's type does not fit the field's. */
  valueType: (soql: string, written: string, name: string, typeName: string, quoted: boolean, from = 0) =>
    bad(
      'INVALID_FIELD',
      messageAtWord(
        soql,
        written,
        `value of filter criterion for field '${name}' must be of type ${typeName} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
        from,
      ),
    ),
  invalidId: (soql: string, written: string, value: string, from = 0) =>
    bad('INVALID_QUERY_FILTER_OPERATOR', messageAtWord(soql, written, `invalid ID field: ${value}`, from)),
  invalidOperator: (soql: string, written: string, problem: string, from = 0) =>
    bad('INVALID_QUERY_FILTER_OPERATOR', messageAtWord(soql, written, problem, from)),
  offsetTooLarge: () => bad('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000'),
  notGrouped: (soql: string, written: string) =>
    bad('MALFORMED_QUERY', messageAtWord(soql, written, `Field must be grouped or aggregated: ${written}`)),
  invalidLocator: () => bad('INVALID_QUERY_LOCATOR', 'invalid query locator'),
};
