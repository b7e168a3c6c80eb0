package io.nvfp4.io.checkpoint;

import io.nvfp4.backend.Backend;
import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * Dequantizes quantized matrices through a backend, and measures them against their dense originals,
 * a row at a time so that the buffers stay small whatever the matrix.
 */
final class Reconstruction {
    private Reconstruction() {}

    /**
     * The error of {@code q}'s rows {@code [first, first + reference.rows())} against {@code reference}
     * (same columns).
     */
    static ErrorSummary rows(FloatMatrix reference, QuantizedMatrix q, long first, Backend backend) {
        int k = Math.toIntExact(reference.columns());
        float[] x = new float[k];
        float[] y = new float[k];
        ErrorSummary s = ErrorSummary.EMPTY;
        for (long r = 0; r < reference.rows(); r++) {
            reference.readRow(r, 0, x, k);
            backend.dequantizeRow(q, first + r, y);
            s = s.merge(ErrorSummary.of(ErrorStats.compare(x, y)));
        }
        return s;
    }

    /** All of {@code q} dequantized, row-major [N x K]. */
    static float[] all(QuantizedMatrix q, Backend backend) {
        int n = Math.toIntExact(q.rows());
        int k = Math.toIntExact(q.columns());
        float[] out = new float[Math.multiplyExact(n, k)];
        float[] row = new float[k];
        for (int r = 0; r < n; r++) {
            backend.dequantizeRow(q, r, row);
            System.arraycopy(row, 0, out, r * k, k);
        }
        return out;
    }

    /**
     * The error of {@code q} [N x K] transposed against {@code reference} [K x N] (a gpt-oss expert
     * against its dense [K, N] original).
     */
    static ErrorSummary transposed(FloatMatrix reference, QuantizedMatrix q, Backend backend) {
        int n = Math.toIntExact(q.rows());
        int k = Math.toIntExact(q.columns());
        float[] deq = all(q, backend);
        float[] x = new float[n];
        float[] y = new float[n];
        ErrorSummary s = ErrorSummary.EMPTY;
        for (int c = 0; c < k; c++) {
            reference.readRow(c, 0, x, n);
            for (int r = 0; r < n; r++) {
                y[r] = deq[r * k + c];
            }
            s = s.merge(ErrorSummary.of(ErrorStats.compare(x, y)));
        }
        return s;
    }
}
