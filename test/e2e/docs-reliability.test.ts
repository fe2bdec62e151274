// docs/reliability.md is run as written: its ```sh blocks (judging a recorded chaos log again)
// print what the page shows. The run itself (`make chaos`) is test/e2e/chaos.test.ts's job.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { aksimOnPath, docBlocks, runBlock } from '../support/docs.js';
import { ROOT } from '../support/env.js';

describe('e2e: docs/reliability.md', () => {
  it('re-judges the recorded log and prints what the page says', async () => {
    const blocks = docBlocks('docs/reliability.md');
    expect(blocks).to.have.length(1);
    const r = await runBlock(blocks[0]!, {}, aksimOnPath());
    const md = readFileSync(join(ROOT, 'docs/reliability.md'), 'utf8');
    const shown = /```sh\naksim chaos check[^\n]*\n```\n\n```text\n([\s\S]*?)```/.exec(md)![1]!;
    expect(r.stdout).to.equal(shown);
  });
});
