import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/groupCommit.js';

/** A writer that records each batch it is given and waits for the test to let it finish. */
function recordingWriter(failOn?: string) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const writeAll = async (items: string[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (failOn && items.includes(failOn)) throw new Error(`cannot write ${failOn}`);
    return items.map((item) => item.toUpperCase());
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { batches, writeAll, release };
}

describe('group commit', () => {
  it('writes the first item at once and what arrives meanwhile together, each caller getting its own result', async () => {
    const writer = recordingWriter();
    const group = new GroupCommit(writer.writeAll, { parallel: 1, maxWeight: 100, weigh: () => 1 });
    const results = ['a', 'b', 'c', 'd'].map((item) => group.submit(item));
    await writer.release(); // a alone
    await writer.release(); // b, c, d together
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D']);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('closes a batch at the weight limit', async () => {
    const writer = recordingWriter();
    const group = new GroupCommit(writer.writeAll, { parallel: 1, maxWeight: 5, weigh: (item: string) => item.length });
    const results = ['x', 'aaa', 'bb', 'c', 'dddddd'].map((item) => group.submit(item));
    for (let i = 0; i < 4; i += 1) await writer.release();
    await Promise.all(results);
    // An item heavier than the limit still goes, alone.
    expect(writer.batches).toEqual([['x'], ['aaa', 'bb'], ['c'], ['dddddd']]);
  });

  it('writes a failed batch again item by item, so that only the bad item fails', async () => {
    const writer = recordingWriter('bad');
    const group = new GroupCommit(writer.writeAll, { parallel: 1, maxWeight: 100, weigh: () => 1 });
    const results = ['first', 'ok1', 'bad', 'ok2'].map((item) => group.submit(item).then((r) => r, (e: Error) => `failed: ${e.message}`));
    for (let i = 0; i < 5; i += 1) await writer.release();
    expect(await Promise.all(results)).toEqual(['FIRST', 'OK1', 'failed: cannot write bad', 'OK2']);
    expect(writer.batches).toEqual([['first'], ['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
  });

  it('runs up to `parallel` batches at once', async () => {
    const writer = recordingWriter();
    const group = new GroupCommit(writer.writeAll, { parallel: 2, maxWeight: 100, weigh: () => 1 });
    const results = ['a', 'b', 'c'].map((item) => group.submit(item));
    while (writer.batches.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(writer.batches).toEqual([['a'], ['b']]); // both running before either finished
    for (let i = 0; i < 3; i += 1) await writer.release();
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C']);
  });
});
