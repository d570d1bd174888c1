import ts from 'typescript';

/**
 * README code examples. Every ```ts / ```js block of a README is an example that the smoke test
 * type-checks and runs against the installed packages, and so is every `rnn ...` command line of a
 * ```sh block (other shell lines, such as installs, are not run). HTML comments (invisible on npm
 * and GitHub) on the lines right before a fence annotate it:
 *   <!-- example not run: REASON -->
 * leaves the block out, e.g. for code that needs a browser or a GPU, or a template with
 * placeholders (the reason is required);
 *   <!-- example file: NAME = PATH -->
 * puts a file the example reads into its working folder: PATH inside an installed package, such as
 * `@rnn/conformance/fixtures/...`.
 */
export interface ReadmeExample {
  /** `@rnn/core#2` — the README's owner and the block's position among its code examples. */
  readonly id: string;
  /** README path, for messages. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: 'ts' | 'js' | 'sh';
  /** The block's code; for `sh`, only its `rnn` command lines. */
  readonly code: string;
  /** Why the block is not run, when it is marked so. */
  readonly notRun?: string;
  /** Files to put into the example's working folder: `name` ← `from` (relative to node_modules). */
  readonly files?: readonly { readonly name: string; readonly from: string }[];
}

const LANGUAGES: Readonly<Record<string, ReadmeExample['language']>> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  sh: 'sh',
  bash: 'sh',
  shell: 'sh',
};

/** The `rnn ...` lines of a shell block, without trailing comments. */
function rnnCommands(code: string): string {
  return code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^rnn(\s|$)/.test(line))
    .join('\n');
}

const MARKER = /^<!--\s*example (not run|file):(.*)-->$/;

export function readmeExamples(markdown: string, owner: string, readme: string): ReadmeExample[] {
  const lines = markdown.split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!fence) continue;
    const close = lines.findIndex((line, k) => k > i && line.trim().startsWith(fence[2]) && line.trim().replace(/[`~]/g, '') === '');
    if (close === -1) throw new Error(`${readme}:${i + 1}: code fence never closed`);
    const language = LANGUAGES[fence[3].toLowerCase()];
    const body = lines
      .slice(i + 1, close)
      .map((line) => line.slice(Math.min(fence[1].length, line.length - line.trimStart().length)))
      .join('\n');
    const code = language === 'sh' ? rnnCommands(body) : body;
    if (language && code !== '') {
      let notRun: string | undefined;
      const files: { name: string; from: string }[] = [];
      for (let k = i - 1; k >= 0; k--) {
        const text = lines[k].trim();
        if (text === '') continue;
        const marker = MARKER.exec(text);
        if (!marker) break;
        const value = marker[2].trim();
        if (marker[1] === 'not run') {
          if (value === '') throw new Error(`${readme}:${k + 1}: "example not run" needs a reason`);
          notRun = value;
        } else {
          const file = /^([\w.-]+)\s*=\s*(\S+)$/.exec(value);
          if (!file) throw new Error(`${readme}:${k + 1}: expected "example file: NAME = PATH", got "${value}"`);
          files.unshift({ name: file[1], from: file[2] });
        }
      }
      examples.push({
        id: `${owner}#${examples.length + 1}`,
        readme,
        line: i + 1,
        language,
        code,
        ...(notRun !== undefined ? { notRun } : {}),
        ...(files.length > 0 ? { files } : {}),
      });
    }
    i = close;
  }
  return examples;
}

/** A file name for an example: `@rnn/core#2` → `rnn-core-2`. */
export function exampleFileStem(example: ReadmeExample): string {
  return example.id.replace(/^@/, '').replace(/[^\w]+/g, '-');
}

/** A TS or JS example as an ES module Node runs (types erased; nothing else changes). */
export function exampleToJavaScript(example: ReadmeExample): string {
  if (example.language === 'sh') throw new Error(`${example.id} is a shell example`);
  if (example.language === 'js') return example.code;
  return ts.transpileModule(example.code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    reportDiagnostics: false,
  }).outputText;
}

/**
 * Type-checks example files as a user's strict TypeScript project would (NodeNext resolution
 * against the installed packages' .d.ts). Returns the errors in the examples and in the @rnn
 * packages' own declaration files; third-party declarations are not ours to judge.
 */
export function typeCheck(files: readonly string[], folder: string): string[] {
  const program = ts.createProgram({
    rootNames: [...files],
    options: {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      typeRoots: [`${folder}/node_modules/@types`],
    },
  });
  const ours = program
    .getSourceFiles()
    .filter((file) => files.includes(file.fileName) || file.fileName.includes('/node_modules/@rnn/'));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
  });
}
