import type { Reporter, TestModule } from 'vitest/node';

// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI
// and humans can read without knowing vitest's own summary format, preceded by
// every skipped test and why, so a skip never passes unnoticed.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          const why = result.state === 'skipped' && result.note ? result.note : 'no reason given';
          skipped.push(`  skipped: ${mod.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${why}`);
        }
      }
      if (mod.state() === 'failed' && mod.children.size === 0) failed++;
    }
    const list = skipped.length > 0 ? `\n${skipped.join('\n')}` : '';
    process.stdout.write(`${list}\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
