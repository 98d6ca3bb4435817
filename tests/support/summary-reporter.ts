import type { Reporter, TestModule } from 'vitest/node';

// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI
// and humans can read without knowing vitest's own summary format, preceded by
// every skipped test and why, so a skip never passes unnoticed. A file that
// fails outside its tests (a hook, an import) counts as a failure, and the
// tests it could not run are named as such, not as skips.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    const notRun: string[] = [];
    for (const mod of modules) {
      const file = mod.moduleId.replace(`${process.cwd()}/`, '');
      const broken = mod.state() === 'failed';
      let testsFailed = 0;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') testsFailed++;
        else if (broken && !(result.state === 'skipped' && result.note))
          notRun.push(`  not run: ${file} > ${test.fullName}`);
        else {
          const why = result.state === 'skipped' && result.note ? result.note : 'no reason given';
          skipped.push(`  skipped: ${file} > ${test.fullName}: ${why}`);
        }
      }
      failed += testsFailed;
      if (broken && testsFailed === 0) {
        failed++;
        const why = mod.errors()[0]?.message?.split('\n')[0] ?? 'unknown error';
        notRun.push(`  failed outside its tests: ${file}: ${why}`);
      }
    }
    const list = [...skipped, ...notRun].map((l) => `\n${l}`).join('');
    process.stdout.write(`${list}\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
