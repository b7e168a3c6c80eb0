package io.nvfp4.metrics;

import io.nvfp4.tensor.FloatMatrix;

import java.util.Locale;
import java.util.Objects;

/**
 * Error statistics of a reconstruction {@code y} (a dequantized tensor, say) against its reference
 * {@code x}, over all n elements, accumulated in double precision so that neither the squares of large
 * floats nor long sums lose what they measure. Immutable.
 *
 * <ul>
 * <li>{@link #mse()}: mean of (x - y)^2, the noise power.</li>
 * <li>{@link #signalPower()}: mean of x^2.</li>
 * <li>{@link #sqnrDb()}: 10 log10(signal power / noise power). +Infinity when the noise is zero (an
 *     exact reconstruction, the all-zero reference included); -Infinity when the reference is all
 *     zero but the reconstruction is not.</li>
 * <li>{@link #maxAbsError()}: max |x - y|.</li>
 * <li>{@link #maxRelError()}: max |x - y| / |x| over the elements whose reference is not zero.
 *     Elements with x = 0 are left out, because any error there is an infinite relative error and
 *     would hide the rest; their error still counts in {@link #maxAbsError()}. 0 when every x is zero.</li>
 * <li>{@link #cosineSimilarity()}: x.y / (|x| |y|), clamped to [-1, 1] against rounding. 1 when both
 *     are all zero (they are equal); 0 when exactly one is.</li>
 * </ul>
 * Non-finite inputs are not skipped: a NaN in either input makes every statistic it reaches NaN (an
 * infinity makes them infinite or NaN), because a NaN in a dequantized tensor (an MX block with a NaN
 * scale) is an error worth seeing.
 */
public final class ErrorStats {
    /** Columns read per chunk from a {@link FloatMatrix}, so that long rows need no row-sized buffer. */
    private static final int CHUNK = 1 << 16;

    private final long count;
    private final double signalPower;
    private final double mse;
    private final double maxAbsError;
    private final double maxRelError;
    private final double cosineSimilarity;

    private ErrorStats(long count, double signalPower, double mse, double maxAbsError, double maxRelError,
                       double cosineSimilarity) {
        this.count = count;
        this.signalPower = signalPower;
        this.mse = mse;
        this.maxAbsError = maxAbsError;
        this.maxRelError = maxRelError;
        this.cosineSimilarity = cosineSimilarity;
    }

    /**
     * Compares {@code reconstruction} with {@code reference}, element by element.
     *
     * @param reference      the original values x
     * @param reconstruction their reconstruction y, as long as {@code reference}
     * @return the statistics of y against x
     * @throws IllegalArgumentException if the lengths differ or the arrays are empty
     */
    public static ErrorStats compare(float[] reference, float[] reconstruction) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(reconstruction, "reconstruction");
        if (reference.length != reconstruction.length) {
            throw new IllegalArgumentException("reference has " + reference.length + " elements, reconstruction "
                    + reconstruction.length);
        }
        if (reference.length == 0) {
            throw new IllegalArgumentException("no elements to compare");
        }
        Sums sums = new Sums();
        sums.add(reference, reconstruction, reference.length);
        return sums.stats();
    }

    /**
     * Compares two matrices of the same shape, whatever their storage types.
     *
     * @param reference      the original values x
     * @param reconstruction their reconstruction y, of the same shape
     * @return the statistics of y against x
     * @throws IllegalArgumentException if the shapes differ
     */
    public static ErrorStats compare(FloatMatrix reference, FloatMatrix reconstruction) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(reconstruction, "reconstruction");
        if (reference.rows() != reconstruction.rows() || reference.columns() != reconstruction.columns()) {
            throw new IllegalArgumentException("reference is " + reference.rows() + " x " + reference.columns()
                    + ", reconstruction " + reconstruction.rows() + " x " + reconstruction.columns());
        }
        long columns = reference.columns();
        int chunk = (int) Math.min(columns, CHUNK);
        float[] x = new float[chunk];
        float[] y = new float[chunk];
        Sums sums = new Sums();
        for (long r = 0; r < reference.rows(); r++) {
            for (long c = 0; c < columns; c += chunk) {
                int n = (int) Math.min(chunk, columns - c);
                reference.readRow(r, c, x, n);
                reconstruction.readRow(r, c, y, n);
                sums.add(x, y, n);
            }
        }
        return sums.stats();
    }

    /** Elements compared. */
    public long count() { return count; }

    /** Mean of x^2 over the reference. */
    public double signalPower() { return signalPower; }

    /** Mean squared error, the noise power. */
    public double mse() { return mse; }

    /** Signal-to-quantization-noise ratio in dB; see the class description for the zero cases. */
    public double sqnrDb() {
        if (mse == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signalPower / mse);
    }

    /** Largest absolute error. */
    public double maxAbsError() { return maxAbsError; }

    /** Largest relative error over the nonzero reference elements; 0 if there are none. */
    public double maxRelError() { return maxRelError; }

    /** Cosine similarity of reference and reconstruction; see the class description for zero vectors. */
    public double cosineSimilarity() { return cosineSimilarity; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorStats s && count == s.count
                && Double.compare(signalPower, s.signalPower) == 0 && Double.compare(mse, s.mse) == 0
                && Double.compare(maxAbsError, s.maxAbsError) == 0 && Double.compare(maxRelError, s.maxRelError) == 0
                && Double.compare(cosineSimilarity, s.cosineSimilarity) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, signalPower, mse, maxAbsError, maxRelError, cosineSimilarity);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ErrorStats[n=%d, mse=%.6g, sqnr=%.3f dB, maxAbs=%.6g, maxRel=%.6g, cosine=%.9f]",
                count, mse, sqnrDb(), maxAbsError, maxRelError, cosineSimilarity);
    }

    /** Running sums over the elements seen so far; {@link QuantizationReport} feeds it row by row. */
    static final class Sums {
        private long n;
        private double xx;
        private double yy;
        private double xy;
        private double ee;
        private double maxAbs;
        private double maxRel;

        void add(float[] x, float[] y, int length) {
            for (int i = 0; i < length; i++) {
                double a = x[i];
                double b = y[i];
                double e = Math.abs(a - b);
                xx += a * a;
                yy += b * b;
                xy += a * b;
                ee += e * e;
                maxAbs = Math.max(maxAbs, e); // Math.max keeps a NaN once it has seen one
                if (a != 0) {                 // NaN != 0 holds, so a NaN reference reaches maxRel too
                    maxRel = Math.max(maxRel, e / Math.abs(a));
                }
            }
            n += length;
        }

        ErrorStats stats() {
            double cosine;
            if (xx == 0 && yy == 0) {
                cosine = 1;
            } else if ((xx == 0 || yy == 0) && !Double.isNaN(xx + yy)) {
                cosine = 0;
            } else { // clamp NaN is NaN
                cosine = Math.clamp(xy / (Math.sqrt(xx) * Math.sqrt(yy)), -1.0, 1.0);
            }
            return new ErrorStats(n, xx / n, ee / n, maxAbs, maxRel, cosine);
        }
    }
}
