package io.nvfp4.cli;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness's bookkeeping; never its timings. */
class BenchTimerTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(BenchTimer.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(BenchTimer.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(BenchTimer.median(new double[] {7})).isEqualTo(7);
    }

    @Test
    void warmsUpThenTimesEveryRepetition() {
        AtomicInteger calls = new AtomicInteger();
        BenchTimer.Timing t = new BenchTimer(0, 0, 4).measure(calls::incrementAndGet);

        assertThat(calls.get()).as("warm-up calls, then one call per repetition").isGreaterThanOrEqualTo(5);
        assertThat(t.best()).isPositive().isFinite().isLessThanOrEqualTo(t.median());
    }
}
