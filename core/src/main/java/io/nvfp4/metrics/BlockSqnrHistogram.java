package io.nvfp4.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the error is spread over a quantized tensor's blocks: a histogram of per-block SQNR (10 log10 of
 * the block's signal energy over its error energy) in 5 dB bins, with exact blocks (no error, all-zero
 * blocks included) counted apart. A tensor whose mean SQNR looks fine can still hide blocks that lost
 * everything (a calibrated amax far below an outlier, say); this shows them.
 */
public final class BlockSqnrHistogram {
    /** Lower edges of the bins in dB: below 0, then 0, 5, ... 35, then 40 and up. */
    private static final double[] EDGES = {0, 5, 10, 15, 20, 25, 30, 35, 40};

    private final long[] counts = new long[EDGES.length + 1];
    private long exact;

    /** Adds a block with signal energy {@code signal} and error energy {@code noise} (sums of squares). */
    void add(double signal, double noise) {
        if (noise == 0) {
            exact++;
            return;
        }
        double db = 10 * Math.log10(signal / noise);
        int bin = 0;
        while (bin < EDGES.length && db >= EDGES[bin]) {
            bin++;
        }
        counts[bin]++;
    }

    /** Blocks reconstructed exactly (all-zero blocks included). */
    public long exactBlocks() { return exact; }

    /** Blocks counted, exact ones included. */
    public long totalBlocks() { return exact + Arrays.stream(counts).sum(); }

    /** Blocks whose SQNR is below {@code db} (a multiple of 5 between 0 and 40). */
    public long blocksBelow(double db) {
        long n = 0;
        for (int bin = 0; bin <= EDGES.length; bin++) {
            double upper = bin < EDGES.length ? EDGES[bin] : Double.POSITIVE_INFINITY;
            if (upper <= db) {
                n += counts[bin];
            }
        }
        return n;
    }

    /** The bin labels, lowest first: "<0", "0-5", ..., "35-40", ">=40". */
    public static String[] labels() {
        String[] labels = new String[EDGES.length + 1];
        labels[0] = "<0";
        for (int i = 1; i < EDGES.length; i++) {
            labels[i] = String.format(Locale.ROOT, "%.0f-%.0f", EDGES[i - 1], EDGES[i]);
        }
        labels[EDGES.length] = ">=" + (int) EDGES[EDGES.length - 1];
        return labels;
    }

    /** The counts, in the order of {@link #labels()}. */
    public long[] counts() { return counts.clone(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String[] labels = labels();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sb.append(sb.isEmpty() ? "" : " ").append(labels[i]).append(" dB:").append(counts[i]);
            }
        }
        return sb.append(sb.isEmpty() ? "" : " ").append("exact:").append(exact).toString();
    }
}
