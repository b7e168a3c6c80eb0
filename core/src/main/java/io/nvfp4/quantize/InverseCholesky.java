package io.nvfp4.quantize;

/**
 * The factor GPTQ spreads rounding errors with: the upper triangular U with H<sup>-1</sup> = U<sup>T</sup>U,
 * for a symmetric positive definite H, in double.
 *
 * <p>Found without inverting H: factor H = V V<sup>T</sup> with V upper triangular (a Cholesky
 * factorisation that starts from the bottom-right corner), then U = V<sup>-1</sup>, because
 * H<sup>-1</sup> = V<sup>-T</sup> V<sup>-1</sup>. Two triangular passes of K<sup>3</sup>/3 multiply-adds each;
 * the inner loops run over contiguous rows.
 */
final class InverseCholesky {
    private InverseCholesky() {}

    /**
     * U for {@code h} (K x K, symmetric; only its upper triangle is read; overwritten).
     *
     * @throws IllegalArgumentException if h is not positive definite
     */
    static double[][] upperOfInverse(double[][] h, int k) {
        double[][] v = upperFactor(h, k);
        return invertUpper(v, k);
    }

    /**
     * V upper triangular with h = V V^T, in place of h, last column first. Outer-product form: once
     * column j of V is known, its contribution is taken off the leading j x j block row by row, loops
     * with one index over contiguous arrays that C2 vectorizes (a dot-product form would be reductions,
     * which it does not).
     */
    private static double[][] upperFactor(double[][] h, int k) {
        double[][] v = h;
        double[] column = new double[k];
        for (int j = k - 1; j >= 0; j--) {
            double d = v[j][j];
            if (!(d > 0)) {
                throw new IllegalArgumentException("the damped hessian is not positive definite (pivot " + d + " at input "
                        + j + "); raise the damping");
            }
            double pivot = Math.sqrt(d);
            v[j][j] = pivot;
            for (int i = 0; i < j; i++) {
                column[i] = v[i][j] /= pivot;
            }
            for (int i = 0; i < j; i++) {
                double c = column[i];
                if (c == 0) {
                    continue;
                }
                double[] row = v[i];
                for (int t = i; t < j; t++) {
                    row[t] -= c * column[t];
                }
            }
        }
        for (int i = 0; i < k; i++) {
            java.util.Arrays.fill(v[i], 0, i, 0.0); // the lower triangle held h's copy; V has zeros there
        }
        return v;
    }

    /** V^-1 for upper triangular V, row by row from the bottom: U[i][j] = -(sum_{t>i} V[i][t] U[t][j]) / V[i][i]. */
    private static double[][] invertUpper(double[][] v, int k) {
        double[][] u = new double[k][k];
        for (int i = k - 1; i >= 0; i--) {
            double[] ui = u[i];
            double[] vi = v[i];
            for (int t = i + 1; t < k; t++) {
                double a = vi[t];
                if (a == 0) {
                    continue;
                }
                double[] ut = u[t];
                for (int j = t; j < k; j++) {
                    ui[j] += a * ut[j];
                }
            }
            double inverse = 1 / vi[i];
            for (int j = i + 1; j < k; j++) {
                ui[j] *= -inverse;
            }
            ui[i] = inverse;
        }
        return u;
    }
}
