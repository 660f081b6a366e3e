// A small, strict XML reader for SOAP envelopes (elements, attributes, text, entities, CDATA,
// comments). No DTDs: a DOCTYPE is refused, so entity expansion attacks cannot happen.

export interface XmlElement {
  /** Qualified name as written (`soapenv:Body`). */
  name: string;
  /** Name without its prefix (`Body`). */
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element. */
  text: string;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = ENTITIES[ref];
    if (named === undefined) throw new XmlError(`unknown entity ${whole}`);
    return named;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTR = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/;

export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const text = source.replace(/^\uFEFF/, '');
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    const top = stack[stack.length - 1];
    if (chunk.length > 0) {
      if (top !== undefined) top.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw new XmlError('text outside the root element');
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || top === undefined) throw new XmlError('misplaced CDATA section');
      top.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      throw new XmlError('DOCTYPE declarations are not accepted');
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (end < 0 || open === undefined || open.name !== name)
        throw new XmlError(`unexpected closing tag </${name}>`);
      i = end + 1;
    } else {
      i++;
      const nameMatch = NAME.exec(text.slice(i, i + 200));
      if (nameMatch === null) throw new XmlError(`malformed tag at offset ${i}`);
      const name = nameMatch[0];
      i += name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const rest = text.slice(i, i + 4096);
        const attr = ATTR.exec(rest);
        if (attr === null) break;
        attrs[attr[1]!] = decodeEntities(attr[3] ?? attr[4] ?? '');
        i += attr[0].length;
      }
      while (/\s/.test(text[i] ?? '')) i++;
      const selfClosing = text.startsWith('/>', i);
      if (!selfClosing && text[i] !== '>') throw new XmlError(`malformed tag <${name}>`);
      i += selfClosing ? 2 : 1;
      const element: XmlElement = {
        name,
        local: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name,
        attrs,
        children: [],
        text: '',
      };
      if (top !== undefined) top.children.push(element);
      else if (root === undefined) root = element;
      else throw new XmlError('more than one root element');
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0 || root === undefined) throw new XmlError('the document is incomplete');
  return root;
}

export function child(element: XmlElement | undefined, local: string): XmlElement | undefined {
  return element?.children.find((c) => c.local === local);
}

export function children(element: XmlElement | undefined, local: string): XmlElement[] {
  return element?.children.filter((c) => c.local === local) ?? [];
}

/** The text of a child element; undefined when absent or `xsi:nil="true"`. */
export function childText(element: XmlElement | undefined, local: string): string | undefined {
  const found = child(element, local);
  if (found === undefined || found.attrs['xsi:nil'] === 'true') return undefined;
  return found.text;
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Serialises a plain value tree: objects become elements, arrays repeat, null is xsi:nil. */
export function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
