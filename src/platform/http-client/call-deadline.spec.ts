import { CallDeadline, delay } from './call-deadline';
import { UpstreamTimeoutError } from './http-client.errors';

describe(CallDeadline.name, () => {
  it('aborts with an UpstreamTimeoutError when its time passes', async () => {
    const deadline = new CallDeadline('x', 30, undefined);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(UpstreamTimeoutError);
    deadline.dispose();
  });

  it('aborts with the request’s reason when the request aborts first, and stops listening once disposed', () => {
    const parent = new AbortController();
    const deadline = new CallDeadline('x', 10_000, parent.signal);
    const reason = new Error('client gone');
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    deadline.dispose();

    const other = new AbortController();
    const disposed = new CallDeadline('x', 10_000, other.signal);
    disposed.dispose();
    other.abort(new Error('late'));
    expect(disposed.signal.aborted).toBe(false);
  });

  it('starts aborted when the request already is', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    const deadline = new CallDeadline('x', 10_000, parent.signal);
    expect(deadline.signal.aborted).toBe(true);
    deadline.dispose();
  });
});

describe(delay.name, () => {
  it('resolves after its time and rejects at once with the reason when aborted', async () => {
    const controller = new AbortController();
    await expect(delay(5, controller.signal)).resolves.toBeUndefined();
    const waiting = delay(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
