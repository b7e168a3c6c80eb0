package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * GPTQ (Frantar, Ashkboos, Hoefler, Alistarh 2022, arXiv 2210.17323) for the block formats: rounds a
 * linear layer's weight so that its <em>outputs</em> on calibration inputs move as little as possible,
 * rather than each weight on its own. Columns (input features) are quantized in order; the rounding
 * error of each is spread over the columns not yet quantized, in proportion to how the inputs
 * correlate, using the inverse of the inputs' Gram matrix H = X<sup>T</sup>X ({@link Hessian}).
 *
 * <p>Block scales follow the wrapped {@link Quantizer}'s recipe and {@linkplain ScaleRule scale rule},
 * chosen from a block's values as they stand when its first column comes up (after the updates from
 * earlier blocks); elements round to nearest with the recipe's order of operations. The output is
 * plain NVFP4 or MX: any decoder reads it. The tensor scale comes from the original weight (or the
 * quantizer's calibrated amax). With {@link ScaleRule#MSE_SEARCH} each block's scale is searched for
 * the lowest error, as the GPTQ reference code's optional "mse" grid search does for its integer scales;
 * on all-MiniLM-L6-v2 the two together gain more than either alone (see the README).
 *
 * <pre>{@code
 * Gptq.Hessian h = new Gptq.Hessian(k);
 * for (FloatMatrix x : calibrationInputsOfThisLayer) h.accumulate(x);   // [tokens, k] each
 * QuantizedMatrix w = Gptq.of(Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH))
 *         .quantize(FloatMatrix.of(weight, n, k), h);
 * }</pre>
 *
 * <p>What it does not do: the "act order" column permutation (with fixed 16- or 32-wide scale blocks it
 * would need static group scales), stochastic rounding (GPTQ compensates deterministic errors),
 * rotations (H would have to be rotated too), 16 x 16 tiles and the GGML recipe (ggml's own quantizer
 * bytes). Those are rejected by {@link #of}.
 *
 * <p>Cost: a Cholesky factorisation and a triangular inverse of H (K<sup>3</sup>/3 each, in double),
 * then K<sup>2</sup>/2 multiply-adds per weight row; rows run in parallel and do not depend on each
 * other, so the bytes do not depend on the thread count.
 */
public final class Gptq {
    /** The default damping: 1% of H's mean diagonal is added to its diagonal, the GPTQ reference's value. */
    public static final double DEFAULT_DAMPING = 0.01;
    private static final int SAMPLES_PER_PASS = 4;

    private final Quantizer quantizer;
    private final double damping;

    private Gptq(Quantizer quantizer, double damping) {
        this.quantizer = quantizer;
        this.damping = damping;
    }

    /**
     * GPTQ with {@code quantizer}'s format, recipe, tensor amax and scale layout.
     *
     * @throws IllegalArgumentException if the quantizer has an option GPTQ cannot keep (see the class comment)
     */
    public static Gptq of(Quantizer quantizer) {
        Objects.requireNonNull(quantizer, "quantizer");
        String refusal = null;
        if (quantizer.recipe() == Nvfp4Recipe.GGML) {
            refusal = "the GGML recipe reproduces ggml's own quantizer bytes";
        } else if (quantizer.stochasticSeed().isPresent()) {
            refusal = "stochastic rounding would randomise the errors GPTQ compensates";
        } else if (quantizer.blockShape() != BlockShape.ROW_16) {
            refusal = "block shape " + quantizer.blockShape() + " is not supported with GPTQ";
        } else if (quantizer.rotated()) {
            refusal = "a rotation would need the Hessian rotated too; rotate the inputs before accumulating instead";
        }
        if (refusal != null) {
            throw new IllegalArgumentException("GPTQ cannot use " + quantizer + ": " + refusal);
        }
        return new Gptq(quantizer, DEFAULT_DAMPING);
    }

    /**
     * With {@code fraction} of H's mean diagonal added to its diagonal: more damping is more stable
     * with few calibration samples and closer to plain rounding.
     *
     * @throws IllegalArgumentException unless 0 &lt; fraction &lt;= 1
     */
    public Gptq withDamping(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("damping must be in (0, 1], got " + fraction);
        }
        return new Gptq(quantizer, fraction);
    }

    /** The damping fraction. */
    public double damping() {
        return damping;
    }

    /** The quantizer whose format and recipe the output follows. */
    public Quantizer quantizer() {
        return quantizer;
    }

    /**
     * Quantizes {@code weight} ([N, K]: one row per output) for inputs whose Gram matrix is {@code hessian}.
     *
     * @throws IllegalArgumentException if the hessian is not K x K or has no samples, on a NaN or infinite
     *                                  weight, or if the damped hessian is not positive definite
     */
    public QuantizedMatrix quantize(FloatMatrix weight, Hessian hessian) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(hessian, "hessian");
        if (hessian.columns() != weight.columns()) {
            throw new IllegalArgumentException("the hessian is for " + hessian.columns() + " inputs; the weight has K = "
                    + weight.columns());
        }
        if (hessian.samples() == 0) {
            throw new IllegalArgumentException("the hessian has no calibration samples");
        }
        int k = Math.toIntExact(weight.columns());
        double[][] u = InverseCholesky.upperOfInverse(hessian.damped(damping), k);
        BlockFormat format = quantizer.format();
        Recipe recipe = quantizer.recipe();
        int blockSize = format.blockSize();
        long rows = weight.rows();
        long padded = format.paddedColumns(k);
        long blocks = padded / blockSize;
        float tensorScale = quantizer.tensorScaleFor(amax(weight));
        long rowBytes = format.codeBytesPerRow(padded);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(Math.multiplyExact(rows, rowBytes));
        MemorySegment scales = arena.allocate(quantizer.scaleLayout().byteSize(rows, blocks));
        LongStream.range(0, rows).parallel().forEach(r -> {
            float[] original = new float[k];
            weight.readRow(r, 0, original, k);
            int[] rowCodes = new int[Math.toIntExact(padded)];
            int[] rowScales = new int[Math.toIntExact(blocks)];
            quantizeRow(original, u, tensorScale, rowCodes, rowScales);
            store(r, rowCodes, rowScales, rowBytes, blocks, codes, scales);
        });
        return QuantizedMatrix.wrap(format, recipe, rows, k, codes, scales, quantizer.scaleLayout(), tensorScale);
    }

    /**
     * One row: w holds the not-yet-quantized weights with the errors of earlier columns applied. The
     * scale of a block is fixed when its first column comes up; padding columns quantize zero.
     */
    private void quantizeRow(float[] original, double[][] u, float g, int[] codes, int[] scales) {
        int k = original.length;
        int blockSize = quantizer.format().blockSize();
        ElementType element = quantizer.format().elementType();
        double[] w = new double[k];
        for (int c = 0; c < k; c++) {
            w[c] = original[c];
        }
        float[] current = new float[codes.length]; // the block's values as its scale is chosen; padding stays 0
        for (int b = 0; b < scales.length; b++) {
            int from = b * blockSize;
            int to = Math.min(from + blockSize, k);
            float blockAmax = 0;
            for (int c = from; c < to; c++) {
                current[c] = (float) w[c];
                blockAmax = Math.max(blockAmax, Math.abs(current[c]));
            }
            if (!Float.isFinite(blockAmax)) { // only a nearly singular hessian spreads errors this far
                throw new IllegalArgumentException("GPTQ's error updates overflowed at input " + from + "; the hessian is"
                        + " too close to singular for damping " + damping + ": raise the damping or add samples");
            }
            BlockRounding block = BlockRounding.of(quantizer, current, from, blockAmax, g);
            scales[b] = block.scaleCode();
            float factor = QuantizedMatrix.blockFactor(quantizer.format(), quantizer.recipe(), block.scaleCode(), g);
            for (int c = from; c < from + blockSize; c++) {
                if (c >= k) {
                    codes[c] = block.code(0f);
                    continue;
                }
                int code = block.code((float) w[c]);
                codes[c] = code;
                double error = (w[c] - (double) (element.decode(code) * factor)) / u[c][c];
                double[] spread = u[c];
                for (int t = c + 1; t < k; t++) {
                    w[t] -= error * spread[t];
                }
            }
        }
    }

    private void store(long r, int[] rowCodes, int[] rowScales, long rowBytes, long blocks, MemorySegment codes,
                       MemorySegment scales) {
        byte[] bytes = new byte[Math.toIntExact(rowBytes)];
        Quantizer.pack(quantizer.format(), rowCodes, bytes, 0);
        MemorySegment.copy(bytes, 0, codes, ValueLayout.JAVA_BYTE, r * rowBytes, bytes.length);
        for (int b = 0; b < rowScales.length; b++) {
            scales.set(ValueLayout.JAVA_BYTE, quantizer.scaleLayout().offset(r, b, blocks), (byte) rowScales[b]);
        }
    }

    /** The weight's amax, refusing NaN and infinities with their position. */
    private static float amax(FloatMatrix weight) {
        int k = Math.toIntExact(weight.columns());
        float[] row = new float[k];
        float amax = 0;
        for (long r = 0; r < weight.rows(); r++) {
            weight.readRow(r, 0, row, k);
            Quantizer.requireFinite(row, k, r, "weight");
            for (int c = 0; c < k; c++) {
                amax = Math.max(amax, Math.abs(row[c]));
            }
        }
        return amax;
    }

    /**
     * The Gram matrix H = sum of x<sup>T</sup>x over calibration input rows x of one linear layer (what GPTQ
     * calls the Hessian of the layer's squared output error, up to a factor 2). Layers that take the
     * same input (query, key, value) can share one. Thread-safe: accumulate from any thread.
     */
    public static final class Hessian {
        private final int columns;
        private final double[][] upper; // row i holds H[i][j] for j >= i (the rest stays 0)
        private long samples;

        /**
         * An empty one for inputs of {@code columns} features.
         *
         * @throws IllegalArgumentException unless 1 &lt;= columns &lt;= 16384 (it holds columns<sup>2</sup> doubles)
         */
        public Hessian(int columns) {
            if (columns < 1 || columns > 16384) {
                throw new IllegalArgumentException("a hessian takes 1 to 16384 input features, got " + columns);
            }
            this.columns = columns;
            this.upper = new double[columns][columns];
        }

        /** The number of input features, K. */
        public int columns() {
            return columns;
        }

        /** How many input rows were accumulated. */
        public synchronized long samples() {
            return samples;
        }

        /**
         * Adds the rows of {@code x} ([rows, K]).
         *
         * @throws IllegalArgumentException if x does not have K columns or holds NaN or infinity
         */
        public void accumulate(FloatMatrix x) {
            Objects.requireNonNull(x, "x");
            if (x.columns() != columns) {
                throw new IllegalArgumentException("inputs have " + x.columns() + " features; this hessian takes "
                        + columns);
            }
            int rows = Math.toIntExact(x.rows());
            int padded = Math.ceilDiv(rows, SAMPLES_PER_PASS) * SAMPLES_PER_PASS;
            double[][] values = new double[padded][columns]; // padding rows stay zero and add nothing
            float[] row = new float[columns];
            for (int r = 0; r < rows; r++) {
                x.readRow(r, 0, row, columns);
                for (int c = 0; c < columns; c++) {
                    if (!Float.isFinite(row[c])) {
                        throw new IllegalArgumentException("input element at row " + r + ", column " + c + " is "
                                + row[c] + ": a hessian needs finite inputs");
                    }
                    values[r][c] = row[c];
                }
            }
            synchronized (this) {
                // Rows of H in parallel (each task owns row i). Four samples a pass over the row, written
                // with one index j for every array so that C2 turns it into vector multiply-adds.
                IntStream.range(0, columns).parallel().forEach(i -> {
                    double[] h = upper[i];
                    for (int r = 0; r < padded; r += SAMPLES_PER_PASS) {
                        double[] x0 = values[r];
                        double[] x1 = values[r + 1];
                        double[] x2 = values[r + 2];
                        double[] x3 = values[r + 3];
                        double a0 = x0[i];
                        double a1 = x1[i];
                        double a2 = x2[i];
                        double a3 = x3[i];
                        if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
                            continue;
                        }
                        for (int j = i; j < columns; j++) {
                            h[j] = Math.fma(a0, x0[j], Math.fma(a1, x1[j], Math.fma(a2, x2[j], Math.fma(a3, x3[j], h[j]))));
                        }
                    }
                });
                samples += rows;
            }
        }

        /**
         * H + damping * mean(diag H) * I as a full matrix. An input that was zero in every sample (diagonal
         * 0) gets 1 on the diagonal, as in the GPTQ reference: its column is then rounded on its own.
         */
        synchronized double[][] damped(double damping) {
            double[][] h = new double[columns][columns];
            double meanDiagonal = 0;
            for (int i = 0; i < columns; i++) {
                meanDiagonal += upper[i][i];
            }
            meanDiagonal /= columns;
            double add = damping * meanDiagonal;
            for (int i = 0; i < columns; i++) {
                for (int j = i; j < columns; j++) {
                    h[i][j] = h[j][i] = upper[i][j];
                }
                h[i][i] = h[i][i] == 0 ? 1 : h[i][i] + add;
            }
            return h;
        }
    }
}
