// Partner-WSDL SOAP envelopes as Salesforce writes them: answers in `urn:partner.soap.sforce.com`
// and faults (HTTP 500, `sf:CODE` faultcode) that jsforce turns into errors or a session refresh.
import type { EmuResponse } from '../contracts.js';
import { escapeXml, toXml } from './xml.js';

const XML_TYPE = 'text/xml;charset=UTF-8';

// The Body element carries no attributes: jsforce takes the first key under Body as the answer.
const open =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const close = '</soapenv:Body></soapenv:Envelope>';

/** `<{operation}Response><result>…</result>…</{operation}Response>`; one result per request. */
export function soapAnswer(operation: string, results: unknown[]): EmuResponse {
  return {
    status: 200,
    headers: { 'Content-Type': XML_TYPE },
    body: `${open}<${operation}Response>${toXml('result', results)}</${operation}Response>${close}`,
  };
}

/** A fault on HTTP 500. `code` is an ExceptionCode (INVALID_SESSION_ID, INVALID_LOGIN, ...). */
export function soapFault(code: string, message: string, faultcode = `sf:${code}`): EmuResponse {
  const detail = faultcode.startsWith('sf:')
    ? `<detail><sf:${code === 'INVALID_LOGIN' ? 'LoginFault' : 'UnexpectedErrorFault'} xsi:type="sf:${code === 'INVALID_LOGIN' ? 'LoginFault' : 'UnexpectedErrorFault'}"><sf:exceptionCode>${escapeXml(code)}</sf:exceptionCode><sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:${code === 'INVALID_LOGIN' ? 'LoginFault' : 'UnexpectedErrorFault'}></detail>`
    : '';
  const faultstring = faultcode.startsWith('sf:') ? `${code}: ${message}` : message;
  return {
    status: 500,
    headers: { 'Content-Type': XML_TYPE },
    body: `${open}<soapenv:Fault><faultcode>${escapeXml(faultcode)}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring>${detail}</soapenv:Fault>${close}`,
  };
}

/** A per-request error inside a result (`<errors>`), as in SaveResult/MergeResult/LeadConvertResult. */
export function soapError(
  statusCode: string,
  message: string,
  fields: string[] = [],
): Record<string, unknown> {
  return { ...(fields.length === 0 ? {} : { fields }), message, statusCode };
}
