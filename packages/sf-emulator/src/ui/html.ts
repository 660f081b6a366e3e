// Server-rendered HTML for the emulator's own pages (the OAuth login page and the org browser):
// one escaping function, one page shell. Every dynamic value goes through `esc` or `html`
// interpolation, so record data can never become markup.

/** Escapes text for element content and double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Markup that is already safe (built by `html`), so nesting does not escape twice. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Tagged template: interpolated values are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return esc(value);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f7f7f9; }
  header { background: #032d60; color: #fff; padding: 0.75rem 1.5rem; }
  header a { color: #fff; }
  main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
  nav ol { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: 0.5rem; }
  nav li + li::before { content: "/"; margin-right: 0.5rem; color: #555; }
  table { border-collapse: collapse; background: #fff; margin: 0.5rem 0 1.5rem; }
  caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
  th, td { border: 1px solid #c9c9d1; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
  th { background: #eef1f6; }
  td.value { max-width: 40rem; overflow-wrap: anywhere; white-space: pre-wrap; }
  .muted { color: #555; }
  form.login { background: #fff; border: 1px solid #c9c9d1; padding: 1.5rem; max-width: 24rem; }
  form.login label { display: block; margin-top: 0.75rem; font-weight: 600; }
  form.login input[type=text], form.login input[type=password] { width: 100%; padding: 0.4rem; font-size: 1rem; box-sizing: border-box; }
  form.login .actions { margin-top: 1.25rem; display: flex; gap: 0.75rem; }
  button { font-size: 1rem; padding: 0.45rem 1.2rem; }
  [role=alert] { color: #8c0000; background: #fde8e8; border: 1px solid #e4a0a0; padding: 0.5rem; margin-bottom: 0.75rem; }
  a:focus, button:focus, input:focus { outline: 3px solid #1b96ff; outline-offset: 1px; }
`;

/** A whole document: language, title, landmarks; `body` is the content of <main>. */
export function page(title: string, body: SafeHtml, options: { header?: string } = {}): string {
  return (
    '<!doctype html>\n' +
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <header><p>${options.header ?? 'Salesforce emulator'}</p></header>
        <main>${body}</main>
      </body>
    </html> `.text
  );
}

/** Headers for every HTML answer: no scripts, no framing, no sniffing. */
export const HTML_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};
