package io.nvfp4.io.checkpoint;

import io.nvfp4.metrics.ErrorStats;

/**
 * The error of a tensor's reconstruction, merged over the rows or chunks it was measured in: the
 * figures of {@link ErrorStats} that can be combined exactly from parts. SQNR and MSE follow
 * {@link ErrorStats}' definitions.
 *
 * @param count        elements compared
 * @param signalPower  mean of x^2 over the reference
 * @param mse          mean of (x - y)^2
 * @param maxAbsError  max |x - y|
 * @param maxRelError  max |x - y| / |x| over the nonzero reference elements
 */
public record ErrorSummary(long count, double signalPower, double mse, double maxAbsError, double maxRelError) {
    /** Nothing compared yet: the identity of {@link #merge}. */
    public static final ErrorSummary EMPTY = new ErrorSummary(0, 0, 0, 0, 0);

    /** The summary of one comparison. */
    public static ErrorSummary of(ErrorStats stats) {
        return new ErrorSummary(stats.count(), stats.signalPower(), stats.mse(), stats.maxAbsError(), stats.maxRelError());
    }

    /** The summary over this part and {@code other} together. */
    public ErrorSummary merge(ErrorSummary other) {
        long n = count + other.count;
        if (n == 0) {
            return EMPTY;
        }
        double w = (double) count / n;
        double v = (double) other.count / n;
        return new ErrorSummary(n, signalPower * w + other.signalPower * v, mse * w + other.mse * v,
                Math.max(maxAbsError, other.maxAbsError), Math.max(maxRelError, other.maxRelError));
    }

    /**
     * 10 log10(signal power / MSE): +Infinity for an exact reconstruction, -Infinity for an all-zero
     * reference with a nonzero reconstruction, NaN if a value was NaN.
     */
    public double sqnrDb() {
        if (mse == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signalPower / mse);
    }
}
