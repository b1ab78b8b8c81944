// A unified diff of two texts, line by line (longest common subsequence), as `diff -u` prints it.

type Edit = { op: ' ' | '-' | '+'; line: string };

function edits(before: string[], after: string[]): Edit[] {
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const result: Edit[] = [];
  let [i, j] = [0, 0];
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      result.push({ op: ' ', line: before[i] });
      [i, j] = [i + 1, j + 1];
    } else if (i < before.length && (j === after.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      result.push({ op: '-', line: before[i++] });
    } else {
      result.push({ op: '+', line: after[j++] });
    }
  }
  return result;
}

/** Hunks with `context` unchanged lines around each change; empty when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string[] {
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const all = edits(split(before), split(after));
  const changed = all.map((edit, index) => (edit.op === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return [];
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1] - changed[end] <= 2 * context) end++;
    const from = Math.max(0, changed[start] - context);
    const to = Math.min(all.length, changed[end] + context + 1);
    const lineOf = (op: '-' | '+') =>
      all.slice(0, from).filter((e) => e.op !== (op === '-' ? '+' : '-')).length;
    const hunk = all.slice(from, to);
    const count = (op: '-' | '+') => hunk.filter((e) => e.op !== (op === '-' ? '+' : '-')).length;
    const range = (op: '-' | '+') => `${lineOf(op) + (count(op) ? 1 : 0)},${count(op)}`;
    out.push(`@@ -${range('-')} +${range('+')} @@`, ...hunk.map((edit) => `${edit.op}${edit.line}`));
    start = end + 1;
  }
  return out;
}
