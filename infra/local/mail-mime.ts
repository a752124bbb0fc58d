// Reads the parts of a raw MIME message (SES v2 Raw content) that a developer needs from a local
// outbox: sender, recipients, subject, and the plain-text and HTML bodies. Attachments are skipped.
export interface RawMailParts {
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  text?: string;
  html?: string;
}

interface MimePart {
  headers: Map<string, string>;
  body: Buffer;
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** RFC 2047 encoded words (`=?UTF-8?B?...?=`) in header values. */
function decodeHeaderWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      return decodeCharset(bytes, charset);
    });
}

function splitPart(raw: Buffer): MimePart {
  const text = raw.toString('latin1');
  // A part may have no headers at all, and then starts with the blank line.
  const separator = /^\r?\n|\r?\n\r?\n/.exec(text);
  const head = separator ? text.slice(0, separator.index) : text;
  const bodyStart = separator ? separator.index + separator[0].length : text.length;
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  return { headers, body: raw.subarray(bodyStart) };
}

/** `text/html; charset="utf-8"` → the type and its parameters. */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = 'text/plain', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const equals = param.indexOf('=');
    if (equals > 0) {
      params.set(
        param.slice(0, equals).trim().toLowerCase(),
        param
          .slice(equals + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
    }
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(part: MimePart, charset: string | undefined): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64')
    return decodeCharset(Buffer.from(part.body.toString('latin1'), 'base64'), charset);
  if (encoding === 'quoted-printable') {
    const bytes = Buffer.from(
      part.body
        .toString('latin1')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
    return decodeCharset(bytes, charset);
  }
  return decodeCharset(part.body, charset);
}

function collectBodies(part: MimePart, found: { text?: string; html?: string }): void {
  const { type, params } = contentType(part.headers.get('content-type'));
  if (/^attachment/i.test(part.headers.get('content-disposition') ?? '')) return;
  const boundary = params.get('boundary');
  if (type.startsWith('multipart/') && boundary) {
    const sections = part.body.toString('latin1').split(`--${boundary}`);
    // Before the first boundary is the preamble; after the closing `--boundary--` the epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      // The line break before a boundary belongs to the boundary, not to the part.
      const content = section.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
      collectBodies(splitPart(Buffer.from(content, 'latin1')), found);
    }
    return;
  }
  if (type === 'text/plain' && found.text === undefined) found.text = decodeBody(part, params.get('charset'));
  if (type === 'text/html' && found.html === undefined) found.html = decodeBody(part, params.get('charset'));
}

/** `"Ann, Lee" <ann@example.com>, bob@example.com` → each address as written. */
export function splitAddressList(value: string | undefined): string[] {
  if (!value) return [];
  const addresses: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === '<' && !quoted) angled = true;
    if (char === '>' && !quoted) angled = false;
    if (char === ',' && !quoted && !angled) {
      addresses.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  addresses.push(current);
  return addresses.map((a) => a.trim()).filter((a) => a !== '');
}

export function parseRawMail(raw: Buffer): RawMailParts {
  const message = splitPart(raw);
  const header = (name: string) => {
    const value = message.headers.get(name);
    return value === undefined ? undefined : decodeHeaderWords(value);
  };
  const bodies: { text?: string; html?: string } = {};
  collectBodies(message, bodies);
  return {
    from: header('from'),
    to: splitAddressList(header('to')),
    cc: splitAddressList(header('cc')),
    bcc: splitAddressList(header('bcc')),
    subject: header('subject'),
    ...bodies,
  };
}
