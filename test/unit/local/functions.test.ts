import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { defineContext } from '../../../libs/manifest/types.ts';
import { createFunctionHost, FunctionTimeoutError, localFunction } from '../../../infra/local/functions.ts';

const widgets = defineContext({
  name: 'widgets',
  description: 'test',
  entry: 'test/widgets.ts',
  routes: [],
  access: {},
  timeoutSeconds: 3,
  memorySize: 256,
});

describe('running handler exports in process', () => {
  it('loads an entry once and invokes the named export with a Lambda context', async () => {
    const loads: string[] = [];
    let seen: Context | undefined;
    const host = createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'plinth',
      load: (entry) => {
        loads.push(entry);
        return Promise.resolve({
          worker: (event: unknown, context: Context) => {
            seen = context;
            return Promise.resolve({ echoed: event });
          },
        });
      },
    });
    const fn = host.forContext(widgets, 'worker');

    expect(await fn.invoke({ n: 1 })).toEqual({ echoed: { n: 1 } });
    await fn.invoke({ n: 2 });

    expect(loads).toEqual(['test/widgets.ts']);
    expect(fn.id).toBe('widgets-worker');
    expect(seen).toMatchObject({
      functionName: 'plinth-widgets-worker',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:plinth-widgets-worker',
    });
    expect(seen!.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(seen!.getRemainingTimeInMillis()).toBeLessThanOrEqual(3000);
  });

  it('loads an export kept in another entry from that entry only, as its own bundle would', async () => {
    const loads: string[] = [];
    const split = { ...widgets, entries: { worker: 'test/widgets-consumers.ts' } };
    const host = createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'p',
      load: (entry) => {
        loads.push(entry);
        return Promise.resolve(
          entry === 'test/widgets-consumers.ts' ? { worker: () => 'consumer' } : { api: () => 'api' },
        );
      },
    });

    expect(await host.forContext(split, 'worker').invoke({})).toBe('consumer');
    expect(loads).toEqual(['test/widgets-consumers.ts']);
    expect(await host.preload([split])).toEqual([]);
    expect(loads).toEqual(['test/widgets-consumers.ts', 'test/widgets.ts']);
  });

  it('fails an invocation of an export the entry does not have', async () => {
    const host = createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'p',
      load: () => Promise.resolve({}),
    });
    await expect(host.forContext(widgets, 'missing').invoke({})).rejects.toThrow(
      /no exported function "missing"/,
    );
  });

  it('reports entries that fail to load, and loads them again on the next call', async () => {
    let attempts = 0;
    const host = createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'p',
      load: () =>
        ++attempts === 1
          ? Promise.reject(new Error('syntax error'))
          : Promise.resolve({ worker: () => 'ok' }),
    });
    const failures = await host.preload([widgets]);
    expect(failures.map((f) => f.entry)).toEqual(['test/widgets.ts']);
    expect(await host.forContext(widgets, 'worker').invoke({})).toBe('ok');
  });

  it('fails an invocation that outlives its timeout, as Lambda does', async () => {
    const slow = localFunction('widgets-slow', () => Promise.resolve(() => new Promise(() => undefined)), {
      region: 'us-east-1',
      timeoutSeconds: 0.05,
    });
    await expect(slow.invoke({})).rejects.toBeInstanceOf(FunctionTimeoutError);
  });

  it('gives each function its own environment while it loads and runs, and the host keeps its own', async () => {
    const gadgets = defineContext({ ...widgets, name: 'gadgets', entry: 'test/gadgets.ts' });
    const later = () =>
      new Promise<string | undefined>((r) => setTimeout(() => r(process.env.PLINTH_WHO), 5));
    const host = createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'p',
      environment: (owner) => ({ PLINTH_WHO: owner.name }),
      load: () => {
        const atLoad = process.env.PLINTH_WHO;
        return Promise.resolve({
          worker: async () => ({ atLoad, now: process.env.PLINTH_WHO, later: await later() }),
        });
      },
    });
    const [w, g] = await Promise.all([
      host.forContext(widgets, 'worker').invoke({}),
      host.forContext(gadgets, 'worker').invoke({}),
    ]);
    expect(w).toEqual({ atLoad: 'widgets', now: 'widgets', later: 'widgets' });
    expect(g).toEqual({ atLoad: 'gadgets', now: 'gadgets', later: 'gadgets' });
    expect(process.env.PLINTH_WHO).toBeUndefined();
    expect(await host.runAs(gadgets, () => Promise.resolve(process.env.PLINTH_WHO))).toBe('gadgets');
    expect(Object.keys(await host.runAs(widgets, () => Promise.resolve({ ...process.env })))).toEqual([
      'PLINTH_WHO',
    ]);
  });
});
