package io.nvfp4.examples.minilm;

import io.nvfp4.backend.ComputePool;

/**
 * The fp32 linear layer, in plain Java: the reference the quantized modes are measured against, and
 * the path that must match ONNX Runtime's fp32 model.
 *
 * <p>Written so that HotSpot's C2 vectorizes it without the incubating Vector API. The weight is
 * stored transposed and cut into column chunks, {@code tiles[chunk][k]} holding the chunk's slice of
 * row k of W^T as an array of its own. The inner loop, {@code acc[j] += x[i, k] * tile[k][j]}, then
 * indexes both arrays from 0 with the same j: C2 (JDK 25) vectorizes that into fused multiply-adds on
 * whole SIMD registers, where it does not vectorize a loop over two arrays at different offsets (they
 * might be the same array). Four rows of x share each loaded weight vector. Chunks run as tasks on
 * the {@link ComputePool}; a chunk's tiles stay in L2 while every row of x passes over them.
 */
final class DenseLinear implements Linear {
    /** Output columns per chunk: 64 floats are four AVX-512 registers; 384 outputs make six tasks. */
    private static final int CHUNK = 64;

    private final int in;
    private final int out;
    private final float[][][] tiles;
    private final float[] bias;
    private final ComputePool pool;

    DenseLinear(BertWeights.Dense dense, ComputePool pool) {
        this.in = dense.in();
        this.out = dense.out();
        this.bias = dense.bias().clone();
        this.pool = pool;
        float[] w = dense.weight(); // [out, in]
        tiles = new float[Math.ceilDiv(out, CHUNK)][in][];
        for (int c = 0; c < tiles.length; c++) {
            int n0 = c * CHUNK;
            int width = Math.min(CHUNK, out - n0);
            for (int k = 0; k < in; k++) {
                float[] tile = new float[width];
                for (int j = 0; j < width; j++) {
                    tile[j] = w[(n0 + j) * in + k];
                }
                tiles[c][k] = tile;
            }
        }
    }

    @Override
    public int inputs() {
        return in;
    }

    @Override
    public int outputs() {
        return out;
    }

    @Override
    public void apply(float[] x, int rows, float[] y) {
        pool.parallelFor(tiles.length, c -> chunk(c, x, rows, y));
    }

    /** y[:, chunk c's columns] for every row, four rows at a time. */
    private void chunk(int c, float[] x, int rows, float[] y) {
        float[][] tile = tiles[c];
        int n0 = c * CHUNK;
        int width = tile[0].length;
        float[] a0 = new float[width];
        float[] a1 = new float[width];
        float[] a2 = new float[width];
        float[] a3 = new float[width];
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            System.arraycopy(bias, n0, a0, 0, width);
            System.arraycopy(bias, n0, a1, 0, width);
            System.arraycopy(bias, n0, a2, 0, width);
            System.arraycopy(bias, n0, a3, 0, width);
            int r0 = i * in;
            for (int k = 0; k < in; k++) {
                float x0 = x[r0 + k];
                float x1 = x[r0 + in + k];
                float x2 = x[r0 + 2 * in + k];
                float x3 = x[r0 + 3 * in + k];
                float[] w = tile[k];
                for (int j = 0; j < width; j++) {
                    float wj = w[j];
                    a0[j] = Math.fma(x0, wj, a0[j]);
                    a1[j] = Math.fma(x1, wj, a1[j]);
                    a2[j] = Math.fma(x2, wj, a2[j]);
                    a3[j] = Math.fma(x3, wj, a3[j]);
                }
            }
            System.arraycopy(a0, 0, y, i * out + n0, width);
            System.arraycopy(a1, 0, y, (i + 1) * out + n0, width);
            System.arraycopy(a2, 0, y, (i + 2) * out + n0, width);
            System.arraycopy(a3, 0, y, (i + 3) * out + n0, width);
        }
        for (; i < rows; i++) {
            System.arraycopy(bias, n0, a0, 0, width);
            int r = i * in;
            for (int k = 0; k < in; k++) {
                float xk = x[r + k];
                float[] w = tile[k];
                for (int j = 0; j < width; j++) {
                    a0[j] = Math.fma(xk, w[j], a0[j]);
                }
            }
            System.arraycopy(a0, 0, y, i * out + n0, width);
        }
    }

    @Override
    public long weightBytes() {
        return 4L * in * out;
    }

    @Override
    public void close() {
        // plain arrays: nothing to free
    }
}
