package io.nvfp4.testkit;

import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.util.Locale;

/**
 * The reference for {@code y = x * W^T}: each output computed in double precision from the exactly
 * dequantized weights ({@link Dequantizer#dequantizeRow}), together with the error bound an fp32
 * matmul must meet.
 *
 * <h2>The bound</h2>
 * For one output, with products {@code p_k = x_k w_k} over the K logical columns:
 * <pre>
 *   |y - sum p_k| &lt;= gamma_K * S  +  K * 2^-149,      gamma_K = K u / (1 - K u),  u = 2^-24,
 * </pre>
 * where {@code S = sum |p_k|}. The first term is {@link ScalarBackend#matmulErrorBound}: an fp32 sum
 * of K terms in any order, each product and partial sum rounded once or fused, errs by at most
 * {@code gamma_K * S} (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, 2nd ed.,
 * section 3.1, applied to every summation order). That model assumes no underflow; a product or fused
 * sum that lands in the fp32 subnormal range errs by up to half its spacing, 2^-150, in absolute
 * terms, at most once per column and then grown by at most {@code 1 + gamma_K < 2}: hence the second
 * term. (Subnormal weights and activations are part of the test data.)
 *
 * <p>The reference itself is computed in double: every product is exact (24 x 24 significant bits fit
 * 53, and the exponents fit), the sums err by at most {@code gamma'_K * S} with u' = 2^-53, and the
 * computed {@code S} is low by the same factor at most. {@link #tolerance(long, double)} adds these,
 * so that the check is a proof: a result outside it is wrong, whatever the summation order.
 */
public final class MatmulReference {
    private static final double DOUBLE_UNIT_ROUNDOFF = 0x1p-53;
    /** Half the fp32 subnormal spacing (2^-150), doubled for its growth through later roundings. */
    private static final double UNDERFLOW_PER_TERM = 0x1p-149;

    private final int m;
    private final int n;
    private final long k;
    private final double[] exact;
    private final double[] sumAbs;

    private MatmulReference(int m, int n, long k, double[] exact, double[] sumAbs) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.exact = exact;
        this.sumAbs = sumAbs;
    }

    /** The reference for {@code x * weight^T}; x is M x K, the weight N x K. */
    public static MatmulReference of(QuantizedMatrix weight, FloatMatrix x) {
        if (x.columns() != weight.columns()) {
            throw new IllegalArgumentException("x has " + x.columns() + " columns, the weight " + weight.columns());
        }
        int m = Math.toIntExact(x.rows());
        int n = Math.toIntExact(weight.rows());
        int k = Math.toIntExact(weight.columns());
        float[] xs = new float[Math.multiplyExact(m, k)];
        float[] row = new float[k];
        for (int i = 0; i < m; i++) {
            x.readRow(i, 0, row, k);
            System.arraycopy(row, 0, xs, i * k, k);
        }
        double[] exact = new double[Math.multiplyExact(m, n)];
        double[] sumAbs = new double[exact.length];
        float[] w = new float[k];
        for (int j = 0; j < n; j++) {
            Dequantizer.dequantizeRow(weight, j, w);
            for (int i = 0; i < m; i++) {
                double s = 0;
                double a = 0;
                for (int c = 0; c < k; c++) {
                    double p = (double) xs[i * k + c] * w[c];
                    s += p;
                    a += Math.abs(p);
                }
                exact[i * n + j] = s;
                sumAbs[i * n + j] = a;
            }
        }
        return new MatmulReference(m, n, k, exact, sumAbs);
    }

    /**
     * The largest |y - reference| an fp32 matmul may show for an output whose computed
     * {@code sum |x_k w_k|} is {@code sumAbsProducts} (see the class comment).
     */
    public static double tolerance(long k, double sumAbsProducts) {
        double gammaDouble = k * DOUBLE_UNIT_ROUNDOFF / (1 - k * DOUBLE_UNIT_ROUNDOFF);
        double s = sumAbsProducts * (1 + 2 * gammaDouble); // at least the exact sum of |p_k|
        return ScalarBackend.matmulErrorBound(k, s) + gammaDouble * s + k * UNDERFLOW_PER_TERM;
    }

    /** The reference value of {@code y[i][j]}. */
    public double exact(int i, int j) {
        return exact[i * n + j];
    }

    /** The tolerance for {@code y[i][j]}. */
    public double tolerance(int i, int j) {
        return tolerance(k, sumAbs[i * n + j]);
    }

    /**
     * Asserts that {@code y[0 .. M*N)} is within tolerance everywhere; the failure names the first
     * output outside, its reference, its tolerance and {@code what}.
     */
    public void assertMatches(float[] y, String what) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double error = Math.abs(y[i * n + j] - exact(i, j));
                double tolerance = tolerance(i, j);
                if (!(error <= tolerance)) {
                    throw new AssertionError(String.format(Locale.ROOT,
                            "y[%d][%d] = %s is %s from the exact %s, beyond the bound %s (K = %d, sum |x w| = %s); %s",
                            i, j, y[i * n + j], error, exact(i, j), tolerance, k, sumAbs[i * n + j], what));
                }
            }
        }
    }
}
