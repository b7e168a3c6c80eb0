package io.nvfp4.backend;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComputePoolTest {

    @Test
    void everyTaskRunsExactlyOnceAcrossManyJobs() {
        try (ComputePool pool = ComputePool.create(3)) {
            for (int job = 0; job < 2000; job++) {
                int tasks = 1 + job % 37;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                pool.parallelFor(tasks, runs::incrementAndGet);
                for (int i = 0; i < tasks; i++) {
                    assertThat(runs.get(i)).as("job %d task %d", job, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void nestedAndConcurrentCallsRunInlineInsteadOfDeadlocking() throws InterruptedException {
        try (ComputePool pool = ComputePool.create(2)) {
            AtomicInteger inner = new AtomicInteger();
            pool.parallelFor(4, i -> pool.parallelFor(5, j -> inner.incrementAndGet()));
            assertThat(inner.get()).isEqualTo(20);

            int callers = 8;
            AtomicInteger total = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(callers);
            for (int c = 0; c < callers; c++) {
                Thread.ofPlatform().start(() -> {
                    for (int r = 0; r < 200; r++) {
                        pool.parallelFor(7, i -> total.incrementAndGet());
                    }
                    done.countDown();
                });
            }
            done.await();
            assertThat(total.get()).isEqualTo(callers * 200 * 7);
        }
    }

    @Test
    void aTaskFailureReachesTheCallerAfterTheOtherTasks() {
        try (ComputePool pool = ComputePool.create(2)) {
            AtomicInteger ran = new AtomicInteger();
            assertThatThrownBy(() -> pool.parallelFor(10, i -> {
                ran.incrementAndGet();
                if (i == 3) {
                    throw new IllegalStateException("task 3");
                }
            })).hasMessage("task 3");
            assertThat(ran.get()).isEqualTo(10);
            pool.parallelFor(3, i -> ran.incrementAndGet()); // still usable
            assertThat(ran.get()).isEqualTo(13);
        }
    }

    @Test
    void closedPoolsRefuseWorkAndTheSharedPoolStaysOpen() {
        ComputePool pool = ComputePool.create(2);
        pool.close();
        assertThatThrownBy(() -> pool.parallelFor(2, i -> { })).hasMessageContaining("closed");
        assertThatThrownBy(() -> ComputePool.shared().close()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ComputePool.shared().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThatThrownBy(() -> ComputePool.create(0)).hasMessageContaining("at least one thread");
    }
}
