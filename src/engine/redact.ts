// Secrets live in the environment (DESIGN.md §9) and must never reach an output, a journal, a
// state file or a report. Text patchctl keeps from a host (hook output, error excerpts) passes
// through a redactor built from the values of the environment's secret-looking variables.

/** Names of variables whose values are treated as secrets. */
const SECRET_NAME = /PASS(WORD|PHRASE|WD)?|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH/i;
/** Shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;
export const REDACTED = '[redacted]';

export type Redactor = (text: string) => string;

/**
 * A redactor for the values of secret-looking variables of `env`, plus the variables the
 * repository names explicitly (e.g. Config `ssh.passphraseEnv`), whatever their names.
 */
export function redactorFor(
  env: Readonly<Record<string, string | undefined>>,
  alsoNames: readonly (string | undefined)[] = [],
): Redactor {
  const named = new Set(alsoNames.filter((n): n is string => n !== undefined));
  const secrets = Object.entries(env)
    .filter(([name, value]) => value !== undefined && (named.has(name) || SECRET_NAME.test(name)))
    .map(([, value]) => value ?? '')
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
}
