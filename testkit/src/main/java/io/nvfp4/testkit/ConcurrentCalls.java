package io.nvfp4.testkit;

import io.nvfp4.backend.ComputePool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs one kind of call from many threads at once, released together, for the concurrency checks. */
final class ConcurrentCalls {
    /** How long all threads together may take before the check fails (a deadlock, say). */
    private static final long TIMEOUT_SECONDS = 120;

    /** A call made by thread {@code thread} on {@code pool}; returns its output. */
    @FunctionalInterface
    interface Call {
        float[] apply(int thread, ComputePool pool);
    }

    private ConcurrentCalls() {}

    /**
     * Runs {@code call} {@code rounds} times on each of {@code threads} threads, all started at once.
     * Even-numbered threads share {@link ComputePool#shared()} (so most find it busy), odd-numbered
     * ones have a two-thread pool each. Returns the outputs by thread, then round.
     *
     * @throws AssertionError if a call throws or the threads do not finish in time
     */
    static float[][][] run(int threads, int rounds, Call call) throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<ComputePool> ownPools = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[][]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ComputePool pool = t % 2 == 0 ? ComputePool.shared() : ComputePool.create(2);
                if (pool != ComputePool.shared()) {
                    ownPools.add(pool);
                }
                futures.add(executor.submit(() -> {
                    start.await();
                    float[][] out = new float[rounds][];
                    for (int r = 0; r < rounds; r++) {
                        out[r] = call.apply(thread, pool);
                    }
                    return out;
                }));
            }
            start.countDown();
            float[][][] results = new float[threads][][];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            for (int t = 0; t < threads; t++) {
                results[t] = await(futures.get(t), deadline, t);
            }
            return results;
        } finally {
            executor.shutdownNow();
            ownPools.forEach(ComputePool::close);
        }
    }

    private static float[][] await(Future<float[][]> future, long deadline, int thread) throws InterruptedException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("thread " + thread + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the concurrent calls did not finish within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
