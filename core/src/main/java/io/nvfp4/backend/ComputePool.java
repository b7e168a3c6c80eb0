package io.nvfp4.backend;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads for data-parallel kernels, sized by the caller (default: one per
 * available processor). {@link #parallelFor} hands out task indices from a shared counter; the
 * calling thread works too, and a call allocates nothing, so a kernel can use it for every GEMV of
 * a decode loop. Workers spin briefly for the next job, then park.
 *
 * <p>One job runs at a time. A caller that finds the pool busy (another thread's job, or a nested
 * call from inside a task) runs its job alone on its own thread instead of waiting: results never
 * depend on how the work was split, only the speed does.
 */
public final class ComputePool implements AutoCloseable {
    private static final int SPINS_BEFORE_PARK = 1 << 14;

    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean(); // not a reentrant lock: a nested call must not enter
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger unfinishedWorkers = new AtomicInteger();
    private volatile IntConsumer job;
    private volatile int taskCount;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    private ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread, got " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("nvfp4-compute-" + (i + 1)).unstarted(this::workLoop);
            workers[i].start();
        }
    }

    /** A pool of {@code threads} threads, counting the caller: {@code threads - 1} workers are started. */
    public static ComputePool create(int threads) {
        return new ComputePool(threads);
    }

    /** The process-wide pool, one thread per available processor, created on first use and never closed. */
    public static ComputePool shared() {
        return Shared.POOL;
    }

    /** Threads that work on a job, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code task.accept(i)} for every i in [0, tasks) and returns when all have finished. The
     * first exception thrown by a task is rethrown here (the other tasks still run).
     */
    public void parallelFor(int tasks, IntConsumer task) {
        if (closed) {
            throw new IllegalStateException("compute pool is closed");
        }
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || workers.length == 0 || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
            return;
        }
        try {
            failure = null;
            job = task;
            taskCount = tasks;
            next.set(0);
            unfinishedWorkers.set(workers.length);
            caller = Thread.currentThread();
            generation++; // publishes the job: workers read the fields after seeing the new generation
            for (Thread worker : workers) {
                LockSupport.unpark(worker);
            }
            runTasks(task, tasks);
            awaitWorkers();
            job = null;
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        } finally {
            busy.set(false);
        }
    }

    private void runTasks(IntConsumer task, int tasks) {
        for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
            try {
                task.accept(i);
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            }
        }
    }

    private void awaitWorkers() {
        int spins = 0;
        while (unfinishedWorkers.get() > 0) {
            if (++spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen) { // a published job is always run, even by a closing pool
                if (closed) {
                    return;
                }
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = generation;
            IntConsumer task = job;
            if (task != null) {
                runTasks(task, taskCount);
            }
            if (unfinishedWorkers.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the workers. The shared pool cannot be closed. */
    @Override
    public void close() {
        if (this == Shared.POOL) {
            throw new UnsupportedOperationException("the shared compute pool is never closed");
        }
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }

    private static final class Shared {
        static final ComputePool POOL = new ComputePool(Runtime.getRuntime().availableProcessors());
    }
}
