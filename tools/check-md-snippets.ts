import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Type-checks every ```ts block of the docs (README.md, docs/guide/*.md, packages/<pkg>/README.md)
 * the way a user's project would see it: strict, module `nodenext`, the workspace packages
 * resolved by name through their exports maps (so their built dist/*.d.ts, not their sources).
 *
 * The blocks of one Markdown file form one module, in order: a guide builds its example up
 * block by block, so a later block may use the names of an earlier one (and must not redeclare
 * them). A block that is not meant to compile says so in its info string with a reason:
 * ```` ```ts no-check: pseudo-code, `for (...)` stands for your own loop ````.
 * All files go to ONE `tsc --noEmit` run (one program, a second or two).
 *
 * Run it: `node --import tsx tools/check-md-snippets.ts` (exit 1 with `file:line:col` per error).
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the documented TypeScript lives. */
export function docFiles(root = repoRoot): string[] {
  const guide = path.join(root, 'docs', 'guide');
  const pkgs = path.join(root, 'packages');
  return [
    'README.md',
    ...readdirSync(guide).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', 'guide', f)),
    ...readdirSync(pkgs).sort().map((p) => path.join('packages', p, 'README.md')).filter((f) => existsSync(path.join(root, f))),
  ];
}

export interface Block {
  /** Repository-relative Markdown file. */
  readonly file: string;
  /** 1-based line of the block's first code line in that file. */
  readonly line: number;
  readonly code: string;
  /** The reason given after `no-check`, when the block is exempt. */
  readonly exempt?: string;
}

const FENCE = /^```(ts|typescript)\b(.*)$/;

/** The ```ts blocks of one Markdown text; a `no-check` block without a reason is an error. */
export function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const info = m[2]!.trim();
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unclosed \`\`\`${m[1]} block`);
    let exempt: string | undefined;
    if (info !== '') {
      const nc = /^no-check\b[\s:—-]*(.*)$/.exec(info);
      if (!nc) throw new Error(`${file}:${i + 1}: unknown info string "${info}" after \`\`\`${m[1]}; the only option is "no-check: <reason>"`);
      exempt = nc[1]!.trim();
      if (exempt.length < 10) throw new Error(`${file}:${i + 1}: a no-check block needs a reason (\`\`\`ts no-check: why this fragment cannot compile)`);
    }
    out.push({ file, line: i + 2, code: lines.slice(i + 1, j).join('\n'), ...(exempt !== undefined ? { exempt } : {}) });
    i = j;
  }
  return out;
}

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly code: string;
  readonly message: string;
}

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  /** Blocks that were type-checked, and those exempted (with their reasons). */
  readonly checked: Block[];
  readonly exempt: Block[];
  readonly ms: number;
}

export interface DocModule {
  /** The checked blocks joined in order, as one ES module; undefined when there are none. */
  readonly code: string | undefined;
  /** For each line of `code`, where it is in the Markdown. */
  readonly map: { file: string; line: number }[];
  readonly checked: Block[];
  readonly exempt: Block[];
}

/** One Markdown file's blocks as one module (the exempt blocks left out). */
export function docModule(file: string, root = repoRoot): DocModule {
  const blocks = extractBlocks(file, readFileSync(path.resolve(root, file), 'utf8'));
  const lines: string[] = [];
  const map: { file: string; line: number }[] = [];
  const checked = blocks.filter((b) => b.exempt === undefined);
  for (const b of checked)
    b.code.split('\n').forEach((l, i) => {
      lines.push(l);
      map.push({ file, line: b.line + i });
    });
  lines.push('export {};'); // a module even when no block imports anything
  return { code: checked.length ? lines.join('\n') + '\n' : undefined, map, checked, exempt: blocks.filter((b) => b.exempt !== undefined) };
}

/** Links every package the workspace sees (root and packages/*) into `nm`, plus @ssam/* themselves. */
function linkModules(root: string, nm: string): void {
  const link = (name: string, target: string) => {
    const at = path.join(nm, name);
    if (existsSync(at)) return; // first one wins: the workspace resolves one version per name
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(realpathSync(target), at, 'dir');
  };
  for (const p of readdirSync(path.join(root, 'packages')).sort()) {
    const dir = path.join(root, 'packages', p);
    if (!existsSync(path.join(dir, 'package.json'))) continue;
    link((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string }).name, dir);
  }
  const sources = [path.join(root, 'node_modules'), ...readdirSync(path.join(root, 'packages')).sort().map((p) => path.join(root, 'packages', p, 'node_modules'))];
  for (const src of sources.filter((s) => existsSync(s))) {
    for (const e of readdirSync(src)) {
      if (e.startsWith('.')) continue;
      if (e.startsWith('@')) for (const s of readdirSync(path.join(src, e))) link(`${e}/${s}`, path.join(src, e, s));
      else link(e, path.join(src, e));
    }
  }
}

const TSC_LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

/**
 * Writes one module per Markdown file into a temporary project, runs the TypeScript compiler once
 * over all of them and maps every error back to `file:line:col` of the Markdown.
 */
export function checkSnippets(opts: { root?: string; files?: string[]; tsc?: string } = {}): CheckResult {
  const t0 = performance.now();
  const root = opts.root ?? repoRoot;
  const files = opts.files ?? docFiles(root);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-snippets-'));
  try {
    linkModules(root, path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'doc-snippets', private: true, type: 'module' }));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['*.ts'],
      }),
    );
    const checked: Block[] = [];
    const exempt: Block[] = [];
    const maps = new Map<string, { file: string; line: number }[]>();
    files.forEach((file, k) => {
      const m = docModule(file, root);
      checked.push(...m.checked);
      exempt.push(...m.exempt);
      if (m.code === undefined) return;
      const name = `${String(k).padStart(2, '0')}-${path.basename(file, '.md')}.ts`;
      writeFileSync(path.join(dir, name), m.code);
      maps.set(name, m.map);
    });
    const tsc = opts.tsc ?? path.join(root, 'node_modules', '.bin', 'tsc');
    let out = '';
    try {
      out = execFileSync(tsc, ['-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; status?: number };
      out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      if (!out.trim()) throw new Error(`tsc failed (status ${err.status}) with no output`);
    }
    const diagnostics: Diagnostic[] = [];
    for (const l of out.split('\n')) {
      const m = TSC_LINE.exec(l);
      if (m) {
        const name = path.basename(m[1]!);
        const at = maps.get(name)?.[Number(m[2]) - 1];
        diagnostics.push({ file: at?.file ?? m[1]!, line: at?.line ?? Number(m[2]), col: Number(m[3]), code: m[4]!, message: m[5]! });
      } else if (l.startsWith(' ') && diagnostics.length > 0) {
        const d = diagnostics.pop()!;
        diagnostics.push({ ...d, message: `${d.message}\n${l}` });
      } else if (l.trim()) {
        diagnostics.push({ file: '(tsc)', line: 0, col: 0, code: '', message: l });
      }
    }
    return { diagnostics, checked, exempt, ms: performance.now() - t0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const formatDiagnostic = (d: Diagnostic): string => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = checkSnippets();
  for (const d of r.diagnostics) console.log(formatDiagnostic(d));
  for (const b of r.exempt) console.log(`${b.file}:${b.line}: not checked (${b.exempt})`);
  console.log(`${r.checked.length} blocks type-checked, ${r.exempt.length} exempt, ${r.diagnostics.length} errors (${(r.ms / 1000).toFixed(1)} s)`);
  process.exitCode = r.diagnostics.length > 0 ? 1 : 0;
}
