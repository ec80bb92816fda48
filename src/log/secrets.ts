// The registry of secret values and the scrubber applied wherever text leaves the process:
// log sink, ffmpeg stderr, MQTT payloads, reports, CLI output.

const registered = new Set<string>();
/** Longest first, so a secret that contains another shorter one is masked whole. */
let ordered: string[] = [];

/**
 * Key names whose values are secret wherever they appear in a logged object. Not "token" or
 * "auth": an ONVIF profile token and an auth scheme name are not secrets, and configured secrets
 * are masked by value anyway (they are registered when the configuration loads).
 */
const SECRET_KEY =
  /^(password|passwd|pass|pwd|secret|authorization|credentials?|apikey|api_key|bearer|accesstoken|access_token|bearertoken|commandsecret)$/i;

/** Registers a value to be replaced by *** wherever it appears. Short values would mangle ordinary text. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 3) {
    registered.add(value);
    // Percent-encoded forms appear inside URLs.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) registered.add(encoded);
    // The log sink sees serialised JSON, where " and \ arrive escaped.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) registered.add(escaped);
    ordered = [...registered].sort((a, b) => b.length - a.length);
  }
}

export function clearSecretsForTest(): void {
  registered.clear();
  ordered = [];
}

// Up to the last @ before the path: a password typed with a raw @ is still userinfo.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/"'<>]*)@/gi;
const QUERY_SECRET = /([?&;](?:user(?:name)?|password|passwd|pwd|pass|auth|token)=)[^&\s"'<>]*/gi;
// key=value pairs (command lines, query strings, env dumps); "key: text" is ordinary prose.
// Not \b: Xiongmai RTSP paths read /user=admin_password=PW_channel=1, and _ is a word character.
const KEY_VALUE = /(?<![a-z0-9])(password|passwd|pwd|secret|token)=[^\s"',}&]+/gi;
// Known secret keys inside serialised JSON (a log line, a payload), at any depth; a PIN may be a number.
const JSON_KEY =
  /("(?:password|passwd|pwd|pass|secret|authorization|bearer|apiKey|api_key|accessToken|access_token|bearerToken|commandSecret)"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/gi;

/** Removes URL userinfo, credential query parameters, key=value secrets and every registered value. */
export function scrubText(text: string): string {
  let out = text
    .replace(JSON_KEY, '$1"***"')
    .replace(USERINFO, '$1***@')
    .replace(QUERY_SECRET, '$1***')
    .replace(KEY_VALUE, '$1=***');
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Deep copy of a value with secret keys masked and every string scrubbed. Cycles are cut. */
export function scrubValue(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, seen));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubText(value.message),
      stack: value.stack && scrubText(value.stack),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' ? '***' : scrubValue(v, seen);
  }
  return out;
}
