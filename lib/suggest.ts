/** "Did you mean ...?" for option names: the closest known name to a misspelt one. */

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known name closest to `name`, if one is close enough to be a likely typo: the same name
 * in another case, one that starts or ends with it (`timeout` -> `timeoutMs`), or one within a
 * few edits (a third of the name's length).
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    let score = distance(lower, other);
    if (other === lower) score = 0;
    else if (lower.length >= 4 && (other.startsWith(lower) || other.endsWith(lower)))
      score = Math.min(score, 1);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return bestScore <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** "name: did you mean x?" or "name is not an option (known: ...)", for an unknown option name. */
export function unknownOption(name: string, known: readonly string[], prefix = ''): string {
  const guess = closest(name, known);
  return guess === undefined
    ? `${prefix}${name} is not an option (known: ${known.map((k) => prefix + k).join(', ')})`
    : `${prefix}${name}: did you mean ${prefix}${guess}?`;
}
