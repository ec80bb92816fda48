// No bare sentence in src/cli: every human-facing line comes from the catalogue, so a technician
// reads all of it in Vietnamese with --lang vi. The TypeScript parser finds every string literal
// that reaches output (io.out/err/progress, tables, errors, help texts) or reads as words.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/catalogue.ts';

const CLI = fileURLToPath(new URL('../../src/cli/', import.meta.url));

/** Calls whose arguments a person reads: the argument positions that are text. */
const SINKS: Record<string, number[] | 'all'> = {
  out: 'all',
  err: 'all',
  progress: 'all',
  say: 'all',
  table: 'all',
  write: 'all',
  description: 'all',
  summary: 'all',
  addHelpText: [1],
  option: [1],
  requiredOption: [1],
  argument: [1],
  helpOption: [1],
  version: [2],
  showHelpAfterError: 'all',
  ExitError: [0],
  Error: [0],
  Option: [1],
  Argument: [1],
};

/** Calls whose string arguments are not read by a technician. */
const EXEMPT_CALLS = new Set([
  't',
  'import',
  'require',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'fatal',
  'get',
  'includes',
  'startsWith',
  'endsWith',
  'on',
  'once',
  'exit',
  'hook',
  'command',
  'alias',
  'choices',
  'env',
]);

/** Words of two letters or more, separated by a space: a sentence in the making. */
const WORDS = /[A-Za-z]{2,}[,.:;!?]? +[A-Za-z]{2,}/;
const LETTERS = /[A-Za-z]{2,}/;

function calleeName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

function staticText(n: ts.Node): string | null {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateExpression(n))
    return [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join('\u0000');
  return null;
}

function offenders(file: string, base = CLI): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (n: ts.Node) =>
    `${file.slice(base.length)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node, inSink: boolean, exempt: boolean) => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isLiteralTypeNode(n)) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const name = calleeName(n.expression);
      visit(n.expression, inSink, exempt);
      const sink = SINKS[name];
      const exemptCall = EXEMPT_CALLS.has(name);
      (n.arguments ?? []).forEach((a, i) => {
        const text = sink === 'all' || (Array.isArray(sink) && sink.includes(i));
        // An exempt call's own literal arguments are keys, paths or log phrases; what it wraps is not.
        if (exemptCall && staticText(a) !== null) return;
        visit(a, (inSink || text) && !exemptCall, exempt);
      });
      return;
    }
    // `case 'probe':` and `x === 'warn'` compare values, they print nothing.
    if (ts.isCaseClause(n)) return n.statements.forEach((s) => visit(s, inSink, exempt));
    if (
      ts.isBinaryExpression(n) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(
        n.operatorToken.kind,
      )
    )
      return;
    if (ts.isPropertyAssignment(n)) return visit(n.initializer, inSink, exempt);
    const text = staticText(n);
    // A catalogue key is the catalogue's sentence, whatever call carries it.
    if (text !== null && !exempt && !(text in en)) {
      const bare = text
        .replace(/^edge-gateway:/, '')
        .replace(/--?[a-z][\w-]*/gi, '')
        .replace(/<\w+>|\[\w+\]/g, '');
      if (WORDS.test(bare) || (inSink && LETTERS.test(bare)))
        found.push(`${where(n)} ${JSON.stringify(text)}`);
      return;
    }
    ts.forEachChild(n, (c) => visit(c, inSink, exempt));
  };
  visit(source, false, false);
  return found;
}

describe('src/cli', () => {
  it('prints no string that is not from the message catalogue', () => {
    const files = readdirSync(CLI)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(CLI, f));
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => offenders(f))).toEqual([]);
  });

  it('finds the bare strings a command could print', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egw-lint-'));
    const file = join(dir, 'x.ts');
    writeFileSync(
      file,
      [
        "io.out('nothing pending');",
        "table(['CAMERA'], rows);",
        'throw new ExitError(`no configuration: ${x}`, 64);',
        "program.option('--json', 'print JSON');",
        "const why = ok ? 'no gateway is running' : e.message;",
        "io.out(t('discover.none'));",
        "logger.info({ site }, 'gateway running');",
        "if (e.phase === 'probe') io.out(`  ${a}/${b}`);",
      ].join('\n'),
    );
    try {
      expect(offenders(file, dir + '/').map((o) => o.split(' ')[0])).toEqual([
        'x.ts:1',
        'x.ts:2',
        'x.ts:3',
        'x.ts:4',
        'x.ts:5',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
