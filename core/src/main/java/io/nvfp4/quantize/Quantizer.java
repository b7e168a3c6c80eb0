package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.stream.LongStream;

/**
 * Quantizes float matrices into a block format with an exact recipe. This is the scalar
 * reference: readable, bit-exact with the references of the spec, and what every faster backend
 * is tested against. Instances are immutable and thread-safe; configure with the {@code with*}
 * methods.
 *
 * <pre>{@code
 * QuantizedMatrix w = Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).quantize(FloatMatrix.of(weights, n, k));
 * QuantizedMatrix m = Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).quantize(FloatMatrix.of(weights, n, k));
 * }</pre>
 *
 * <p>By default the output is the recipe's reference bytes ({@link #reproducesReference()}). The
 * accuracy options keep the storage format but not the bytes: {@link #withScaleRule} (Four Over Six,
 * MSE search), {@link #withStochasticRounding}, {@link #withBlockShape} (16 x 16 tiles) and
 * {@link #withRotation} (random Hadamard). Combinations that cannot keep their promise are rejected
 * when configured, with the reason.
 *
 * <p>Blocks run along the columns (K). A K that is not a block multiple is zero-padded (the
 * modelopt rule); the result keeps the logical K. Rows are quantized in parallel on the common
 * fork-join pool; the bytes do not depend on the thread count.
 *
 * <p>Bad input: NaN or infinite elements are rejected with the position of the first one (no
 * reference defines them, spec section 2.7). An all-zero NVFP4 tensor gets tensor scale 1 and all-zero
 * codes (every reference divides by zero there); its block scales follow the recipe's zero-block
 * rule ({@link Nvfp4Recipe#zeroBlockScaleCode()}).
 */
public final class Quantizer {
    private static final long ROWS_PER_TASK = 16;

    /** E4M3 headroom Four Over Six keeps in the tensor scale: 6 * 256 in place of 6 * 448. */
    private static final float FOUR_OVER_SIX_RANGE = 6f * 256f;

    private final BlockFormat format;
    private final Recipe recipe;
    private final float tensorAmax; // NaN: take it from the data
    private final ScaleLayout scaleLayout;
    private final ScaleRule scaleRule;
    private final BlockShape blockShape;
    private final Long stochasticSeed; // null: round to nearest
    private final RandomHadamard rotation; // null: none

    private Quantizer(BlockFormat format, Recipe recipe, float tensorAmax, ScaleLayout scaleLayout,
                      ScaleRule scaleRule, BlockShape blockShape, Long stochasticSeed, RandomHadamard rotation) {
        this.format = format;
        this.recipe = recipe;
        this.tensorAmax = tensorAmax;
        this.scaleLayout = scaleLayout;
        this.scaleRule = scaleRule;
        this.blockShape = blockShape;
        this.stochasticSeed = stochasticSeed;
        this.rotation = rotation;
    }

    private Quantizer(BlockFormat format, Recipe recipe) {
        this(format, recipe, Float.NaN, ScaleLayout.ROW_MAJOR, ScaleRule.REFERENCE, BlockShape.ROW_16, null, null);
    }

    /** NVFP4 with the default recipe ({@link Nvfp4Recipe#MODELOPT}). */
    public static Quantizer nvfp4() {
        return nvfp4(Nvfp4Recipe.DEFAULT);
    }

    /** NVFP4 with {@code recipe}. */
    public static Quantizer nvfp4(Nvfp4Recipe recipe) {
        return new Quantizer(BlockFormat.NVFP4, Objects.requireNonNull(recipe, "recipe"));
    }

    /** An OCP MX format with the OCP recipe (FLOOR, ties to even). */
    public static Quantizer mx(BlockFormat format) {
        return mx(format, MxRecipe.OCP);
    }

    /** An OCP MX format ({@code MXFP4}, {@code MXFP6_*}, {@code MXFP8_*}, {@code MXINT8}) with {@code recipe}. */
    public static Quantizer mx(BlockFormat format, MxRecipe recipe) {
        Objects.requireNonNull(format, "format");
        if (format == BlockFormat.NVFP4) {
            throw new IllegalArgumentException("NVFP4 takes an Nvfp4Recipe: use Quantizer.nvfp4(recipe)");
        }
        return new Quantizer(format, Objects.requireNonNull(recipe, "recipe"));
    }

    /** A quantizer for {@code format} with {@code recipe}, whichever kind it is. */
    public static Quantizer of(BlockFormat format, Recipe recipe) {
        return switch (Objects.requireNonNull(recipe, "recipe")) {
            case Nvfp4Recipe r when format == BlockFormat.NVFP4 -> nvfp4(r);
            case MxRecipe r -> mx(format, r);
            default -> throw new IllegalArgumentException("recipe " + recipe + " does not describe " + format);
        };
    }

    /**
     * Derives the NVFP4 tensor scale from a given (calibrated) amax instead of the data's own.
     * Data beyond it saturates: block scales clamp at 448 and elements at 6.
     *
     * @throws IllegalArgumentException if the format has no tensor scale, or amax is not positive and finite
     */
    public Quantizer withTensorAmax(float amax) {
        if (!format.hasTensorScale() || recipe == Nvfp4Recipe.GGML) {
            throw new IllegalArgumentException(format + " with recipe " + recipe + " has no tensor scale to calibrate");
        }
        if (!(amax > 0) || !Float.isFinite(amax)) {
            throw new IllegalArgumentException("a calibrated tensor amax must be positive and finite, got " + amax);
        }
        return new Quantizer(format, recipe, amax, scaleLayout, scaleRule, blockShape, stochasticSeed, rotation);
    }

    /** Writes the block scales in {@code layout} (row-major by default). */
    public Quantizer withScaleLayout(ScaleLayout layout) {
        return new Quantizer(format, recipe, tensorAmax, Objects.requireNonNull(layout, "layout"), scaleRule,
                blockShape, stochasticSeed, rotation);
    }

    /**
     * Chooses NVFP4 block scales by {@code rule}. Any rule but {@link ScaleRule#REFERENCE} writes
     * valid NVFP4 that is no longer the recipe's reference bytes; the recipe still fixes the tensor
     * scale convention and the fp32 order of operations.
     *
     * @throws IllegalArgumentException for MX formats, the GGML recipe, or together with stochastic rounding
     */
    public Quantizer withScaleRule(ScaleRule rule) {
        Objects.requireNonNull(rule, "rule");
        if (rule != ScaleRule.REFERENCE) {
            requireTunableNvfp4("scale rule " + rule);
            if (stochasticSeed != null) {
                throw new IllegalArgumentException("scale rule " + rule + " picks the scale with the lowest error of"
                        + " deterministic roundings; with stochastic rounding that choice would be random");
            }
        }
        return new Quantizer(format, recipe, tensorAmax, scaleLayout, rule, blockShape, stochasticSeed, rotation);
    }

    /** Shares each NVFP4 block scale over a {@code shape} of elements (rows of 16 by default). */
    public Quantizer withBlockShape(BlockShape shape) {
        Objects.requireNonNull(shape, "shape");
        if (shape != BlockShape.ROW_16) {
            requireTunableNvfp4("block shape " + shape);
        }
        return new Quantizer(format, recipe, tensorAmax, scaleLayout, scaleRule, shape, stochasticSeed, rotation);
    }

    /**
     * Rounds elements stochastically (unbiased, for gradient-style use) with the counter-based stream
     * {@code seed}: the same seed gives the same bytes, whatever the thread count.
     *
     * @throws IllegalArgumentException for the GGML recipe, or with an error-driven scale rule
     */
    public Quantizer withStochasticRounding(long seed) {
        if (recipe == Nvfp4Recipe.GGML) {
            throw new IllegalArgumentException("the GGML recipe reproduces ggml's own quantizer bytes; it takes no"
                    + " rounding option");
        }
        if (scaleRule != ScaleRule.REFERENCE) {
            throw new IllegalArgumentException("stochastic rounding cannot be combined with scale rule " + scaleRule
                    + ", which compares the errors of deterministic roundings");
        }
        return new Quantizer(format, recipe, tensorAmax, scaleLayout, scaleRule, blockShape, seed, rotation);
    }

    /**
     * Applies {@code rotation} to every row before quantizing (K must be a multiple of 16). The result
     * holds the rotated weights: multiply it with activations rotated by the same transform, or apply
     * {@link RandomHadamard#inverse} to what it dequantizes to.
     */
    public Quantizer withRotation(RandomHadamard rotation) {
        Objects.requireNonNull(rotation, "rotation");
        if (recipe == Nvfp4Recipe.GGML) {
            throw new IllegalArgumentException("the GGML recipe reproduces ggml's own quantizer bytes; it takes no"
                    + " rotation");
        }
        return new Quantizer(format, recipe, tensorAmax, scaleLayout, scaleRule, blockShape, stochasticSeed, rotation);
    }

    /** The layout the block scales are written in. */
    public ScaleLayout scaleLayout() { return scaleLayout; }

    /** The calibrated tensor amax given by {@link #withTensorAmax}, if any (else the data's own is used). */
    public java.util.OptionalDouble tensorAmax() {
        return Float.isNaN(tensorAmax) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(tensorAmax);
    }

    /** The NVFP4 block-scale rule. */
    public ScaleRule scaleRule() { return scaleRule; }

    /** The NVFP4 block shape. */
    public BlockShape blockShape() { return blockShape; }

    /** The stochastic-rounding seed, if elements round stochastically. */
    public java.util.OptionalLong stochasticSeed() {
        return stochasticSeed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(stochasticSeed);
    }

    /** Whether rows are rotated before quantizing ({@link #withRotation}). */
    boolean rotated() {
        return rotation != null;
    }

    /** Whether the output is exactly the recipe's reference bytes: no option changes it. */
    public boolean reproducesReference() {
        return scaleRule == ScaleRule.REFERENCE && blockShape == BlockShape.ROW_16 && stochasticSeed == null
                && rotation == null;
    }

    private void requireTunableNvfp4(String what) {
        if (format != BlockFormat.NVFP4) {
            throw new IllegalArgumentException(what + " applies to NVFP4 only, not " + format);
        }
        if (recipe == Nvfp4Recipe.GGML) {
            throw new IllegalArgumentException("the GGML recipe reproduces ggml's own quantizer bytes; " + what
                    + " would change them (and ggml NVFP4 has no tensor scale to give Four Over Six headroom)");
        }
    }

    /** The block format. */
    public BlockFormat format() { return format; }

    /** The recipe. */
    public Recipe recipe() { return recipe; }

    /** Quantizes a row-major {@code rows x columns} array. */
    public QuantizedMatrix quantize(float[] values, long rows, long columns) {
        return quantize(FloatMatrix.of(values, rows, columns));
    }

    /**
     * Quantizes {@code input}.
     *
     * @throws IllegalArgumentException on a NaN or infinite element (naming its row and column), or a
     *                                  tensor amax the recipe cannot turn into a finite tensor scale
     */
    public QuantizedMatrix quantize(FloatMatrix input) {
        Objects.requireNonNull(input, "input");
        long rows = input.rows();
        long padded = format.paddedColumns(input.columns());
        if (rotation != null && input.columns() % RandomHadamard.GROUP != 0) {
            throw new IllegalArgumentException("a Hadamard rotation needs K to be a multiple of " + RandomHadamard.GROUP
                    + "; K is " + input.columns());
        }
        long blocks = padded / format.blockSize();
        float[] tileAmax = blockShape == BlockShape.TILE_16X16
                ? new float[Math.toIntExact(Math.multiplyExact(Math.ceilDiv(rows, 16L), blocks))] : null;
        float amax = scan(input, padded, tileAmax);
        float tensorScale = 1f;
        if (recipe instanceof Nvfp4Recipe nv) {
            float a = Float.isNaN(tensorAmax) ? amax : tensorAmax;
            tensorScale = scaleRule == ScaleRule.FOUR_OVER_SIX
                    ? Nvfp4Reference.tensorScale(nv, a, FOUR_OVER_SIX_RANGE) : Nvfp4Reference.tensorScale(nv, a);
        }
        long rowBytes = format.codeBytesPerRow(padded);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(Math.multiplyExact(rows, rowBytes));
        MemorySegment scales = arena.allocate(scaleLayout.byteSize(rows, blocks)); // zero: the swizzle padding
        float g = tensorScale;
        long tasks = Math.ceilDiv(rows, ROWS_PER_TASK);
        LongStream.range(0, tasks).parallel().forEach(task -> {
            float[] row = new float[Math.toIntExact(padded)];
            byte[] rowCodes = new byte[Math.toIntExact(rowBytes)];
            int[] blockCodes = new int[format.blockSize()];
            int[] candidate = new int[format.blockSize()];
            for (long r = task * ROWS_PER_TASK; r < Math.min(rows, (task + 1) * ROWS_PER_TASK); r++) {
                readRow(input, r, row);
                for (int b = 0; b < blocks; b++) {
                    int from = b * format.blockSize();
                    float blockAmax = tileAmax != null ? tileAmax[(int) ((r / 16) * blocks + b)] : maxAbs(row, from);
                    int scale = quantizeBlock(row, from, blockAmax, g, r, blockCodes, candidate);
                    scales.set(ValueLayout.JAVA_BYTE, scaleLayout.offset(r, b, blocks), (byte) scale);
                    pack(format, blockCodes, rowCodes, from);
                }
                MemorySegment.copy(rowCodes, 0, codes, ValueLayout.JAVA_BYTE, r * rowBytes, rowCodes.length);
            }
        });
        return QuantizedMatrix.wrap(format, recipe, rows, input.columns(), codes, scales, scaleLayout, tensorScale);
    }

    /**
     * Quantizes the {@code experts} matrices of an [E, rows, columns] tensor (MoE weights) one by one,
     * each with its own tensor scale (NVFP4), as per-expert checkpoints store them.
     */
    public java.util.List<QuantizedMatrix> quantizeExperts(MemorySegment data, io.nvfp4.tensor.DType dtype,
                                                          long experts, long rows, long columns) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dtype, "dtype");
        if (experts < 1) {
            throw new IllegalArgumentException("experts must be positive, got " + experts);
        }
        long expertBytes = Math.multiplyExact(Math.multiplyExact(rows, columns), (long) dtype.byteSize());
        if (data.byteSize() != Math.multiplyExact(expertBytes, experts)) {
            throw new IllegalArgumentException("[" + experts + ", " + rows + ", " + columns + "] " + dtype + " needs "
                    + expertBytes * experts + " bytes, the data has " + data.byteSize());
        }
        java.util.List<QuantizedMatrix> out = new java.util.ArrayList<>();
        for (long e = 0; e < experts; e++) {
            out.add(quantize(FloatMatrix.of(data.asSlice(e * expertBytes, expertBytes), dtype, rows, columns)));
        }
        return java.util.List.copyOf(out);
    }

    /**
     * The tensor scale this quantizer stores for a tensor whose amax is {@code amax} (NVFP4; 1 for MX,
     * and 1 for an all-zero tensor).
     */
    public float tensorScaleFor(float amax) {
        if (!(recipe instanceof Nvfp4Recipe nv)) {
            return 1f;
        }
        float a = Float.isNaN(tensorAmax) ? Math.abs(amax) : tensorAmax;
        return scaleRule == ScaleRule.FOUR_OVER_SIX ? Nvfp4Reference.tensorScale(nv, a, FOUR_OVER_SIX_RANGE)
                : Nvfp4Reference.tensorScale(nv, a);
    }

    @Override
    public String toString() {
        return "Quantizer[" + format + ", " + recipe + (Float.isNaN(tensorAmax) ? "" : ", tensor amax " + tensorAmax)
                + (scaleRule == ScaleRule.REFERENCE ? "" : ", scale rule " + scaleRule)
                + (blockShape == BlockShape.ROW_16 ? "" : ", blocks " + blockShape)
                + (stochasticSeed == null ? "" : ", stochastic rounding seed " + stochasticSeed)
                + (rotation == null ? "" : ", " + rotation)
                + ", scales " + scaleLayout + "]";
    }

    /**
     * Quantizes block {@code x[from, from + blockSize)} of row {@code row}, whose scale comes from
     * {@code blockAmax}, into {@code out}; returns its scale byte.
     */
    private int quantizeBlock(float[] x, int from, float blockAmax, float g, long row, int[] out, int[] scratch) {
        int n = format.blockSize();
        if (recipe instanceof Nvfp4Recipe nv) {
            if (scaleRule != ScaleRule.REFERENCE) {
                return ScaleChoice.scaleCode(nv, scaleRule, x, from, blockAmax, g, out, scratch);
            }
            int scale = Nvfp4Reference.blockScaleCode(nv, blockAmax, g);
            float k = Nvfp4Reference.elementDivisorOrFactor(nv, ElementType.E4M3.decode(scale), g);
            for (int i = 0; i < n; i++) {
                out[i] = stochasticSeed == null ? Nvfp4Reference.elementCode(nv, x[from + i], k)
                        : Nvfp4Reference.elementCodeStochastic(nv, x[from + i], k,
                                StochasticRounding.uniform(stochasticSeed, row, from + i));
            }
            return scale;
        }
        MxRecipe mx = (MxRecipe) recipe;
        ElementType element = format.elementType();
        int scale = MxReference.scaleCode(mx.scaleRule(), element, blockAmax);
        float reciprocal = MxReference.reciprocal(scale);
        for (int i = 0; i < n; i++) {
            out[i] = stochasticSeed == null ? MxReference.elementCode(element, mx, x[from + i], reciprocal)
                    : StochasticRounding.encode(element, x[from + i] * reciprocal,
                            StochasticRounding.uniform(stochasticSeed, row, from + i), mx.zeroSign());
        }
        return scale;
    }

    /** Reads a row into {@code row} (the padding stays zero) and rotates it if asked to. */
    private void readRow(FloatMatrix input, long r, float[] row) {
        int columns = Math.toIntExact(input.columns());
        input.readRow(r, 0, row, columns);
        if (rotation != null) {
            rotation.forward(row, 0, columns);
        }
    }

    private float maxAbs(float[] x, int from) {
        float b = 0;
        for (int i = from; i < from + format.blockSize(); i++) {
            b = Math.max(b, Math.abs(x[i]));
        }
        return b;
    }

    /**
     * Stores codes (a block's, or a whole row's) into the row's code bytes from column
     * {@code firstColumn}: two nibbles a byte, low = even column, for the 4-bit formats.
     */
    static void pack(BlockFormat format, int[] blockCodes, byte[] rowCodes, int firstColumn) {
        if (format.packsTwoPerByte()) {
            for (int i = 0; i < blockCodes.length; i += 2) {
                rowCodes[(firstColumn + i) / 2] = (byte) (blockCodes[i] | blockCodes[i + 1] << 4);
            }
        } else {
            for (int i = 0; i < blockCodes.length; i++) {
                rowCodes[firstColumn + i] = (byte) blockCodes[i];
            }
        }
    }

    /** Refuses a NaN or infinite value among {@code row[0, columns)}, naming its position. */
    static void requireFinite(float[] row, int columns, long r, String what) {
        for (int i = 0; i < columns; i++) {
            if (!Float.isFinite(row[i])) {
                throw new IllegalArgumentException(what + " element at row " + r + ", column " + i + " is " + row[i]
                        + ": NaN and infinite values cannot be quantized");
            }
        }
    }

    /**
     * Checks every element is finite and returns the tensor amax (of the rotated rows, with a
     * rotation); fills {@code tileAmax} with each 16 x 16 tile's amax when asked.
     */
    private float scan(FloatMatrix input, long padded, float[] tileAmax) {
        int columns = Math.toIntExact(input.columns());
        float[] row = new float[Math.toIntExact(padded)];
        long blocks = padded / format.blockSize();
        float amax = 0;
        for (long r = 0; r < input.rows(); r++) {
            input.readRow(r, 0, row, columns);
            requireFinite(row, columns, r, "input");
            if (rotation != null) {
                rotation.forward(row, 0, columns);
            }
            for (int b = 0; b < blocks; b++) {
                float blockAmax = maxAbs(row, b * format.blockSize());
                amax = Math.max(amax, blockAmax);
                if (tileAmax != null) {
                    int t = (int) ((r / 16) * blocks + b);
                    tileAmax[t] = Math.max(tileAmax[t], blockAmax);
                }
            }
        }
        return amax;
    }
}
