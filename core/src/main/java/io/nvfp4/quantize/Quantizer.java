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

    private final BlockFormat format;
    private final Recipe recipe;
    private final float tensorAmax; // NaN: take it from the data
    private final ScaleLayout scaleLayout;

    private Quantizer(BlockFormat format, Recipe recipe, float tensorAmax, ScaleLayout scaleLayout) {
        this.format = format;
        this.recipe = recipe;
        this.tensorAmax = tensorAmax;
        this.scaleLayout = scaleLayout;
    }

    /** NVFP4 with the default recipe ({@link Nvfp4Recipe#MODELOPT}). */
    public static Quantizer nvfp4() {
        return nvfp4(Nvfp4Recipe.DEFAULT);
    }

    /** NVFP4 with {@code recipe}. */
    public static Quantizer nvfp4(Nvfp4Recipe recipe) {
        return new Quantizer(BlockFormat.NVFP4, Objects.requireNonNull(recipe, "recipe"), Float.NaN,
                ScaleLayout.ROW_MAJOR);
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
        return new Quantizer(format, Objects.requireNonNull(recipe, "recipe"), Float.NaN, ScaleLayout.ROW_MAJOR);
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
        return new Quantizer(format, recipe, amax, scaleLayout);
    }

    /** Writes the block scales in {@code layout} (row-major by default). */
    public Quantizer withScaleLayout(ScaleLayout layout) {
        return new Quantizer(format, recipe, tensorAmax, Objects.requireNonNull(layout, "layout"));
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
        float amax = checkedAmax(input);
        float tensorScale = 1f;
        if (recipe instanceof Nvfp4Recipe nv) {
            float a = Float.isNaN(tensorAmax) ? amax : tensorAmax;
            tensorScale = Nvfp4Reference.tensorScale(nv, a);
        }
        long rows = input.rows();
        long padded = format.paddedColumns(input.columns());
        long blocks = padded / format.blockSize();
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
            for (long r = task * ROWS_PER_TASK; r < Math.min(rows, (task + 1) * ROWS_PER_TASK); r++) {
                input.readRow(r, 0, row, Math.toIntExact(input.columns())); // the tail stays zero
                for (int b = 0; b < blocks; b++) {
                    int scale = quantizeBlock(row, b * format.blockSize(), g, blockCodes);
                    scales.set(ValueLayout.JAVA_BYTE, scaleLayout.offset(r, b, blocks), (byte) scale);
                    pack(blockCodes, rowCodes, b * format.blockSize());
                }
                MemorySegment.copy(rowCodes, 0, codes, ValueLayout.JAVA_BYTE, r * rowBytes, rowCodes.length);
            }
        });
        return QuantizedMatrix.wrap(format, recipe, rows, input.columns(), codes, scales, scaleLayout, tensorScale);
    }

    /**
     * The tensor scale this quantizer stores for a tensor whose amax is {@code amax} (NVFP4; 1 for MX,
     * and 1 for an all-zero tensor).
     */
    public float tensorScaleFor(float amax) {
        if (!(recipe instanceof Nvfp4Recipe nv)) {
            return 1f;
        }
        return Nvfp4Reference.tensorScale(nv, Float.isNaN(tensorAmax) ? Math.abs(amax) : tensorAmax);
    }

    @Override
    public String toString() {
        return "Quantizer[" + format + ", " + recipe + (Float.isNaN(tensorAmax) ? "" : ", tensor amax " + tensorAmax)
                + ", scales " + scaleLayout + "]";
    }

    /** Quantizes block {@code x[from, from + blockSize)} into {@code out}; returns its scale byte. */
    private int quantizeBlock(float[] x, int from, float g, int[] out) {
        int n = format.blockSize();
        float b = 0;
        for (int i = 0; i < n; i++) {
            b = Math.max(b, Math.abs(x[from + i]));
        }
        if (recipe instanceof Nvfp4Recipe nv) {
            int scale = Nvfp4Reference.blockScaleCode(nv, b, g);
            float k = Nvfp4Reference.elementDivisorOrFactor(nv, ElementType.E4M3.decode(scale), g);
            for (int i = 0; i < n; i++) {
                out[i] = Nvfp4Reference.elementCode(nv, x[from + i], k);
            }
            return scale;
        }
        MxRecipe mx = (MxRecipe) recipe;
        ElementType element = format.elementType();
        int scale = MxReference.scaleCode(mx.scaleRule(), element, b);
        float reciprocal = MxReference.reciprocal(scale);
        for (int i = 0; i < n; i++) {
            out[i] = MxReference.elementCode(element, mx, x[from + i], reciprocal);
        }
        return scale;
    }

    /** Stores a block's codes into the row's code bytes: two nibbles a byte, low = even column. */
    private void pack(int[] blockCodes, byte[] rowCodes, int firstColumn) {
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

    /** The largest |x|, after checking every element is finite. */
    private static float checkedAmax(FloatMatrix input) {
        long columns = input.columns();
        int chunk = (int) Math.min(columns, 1 << 16);
        float[] buffer = new float[chunk];
        float amax = 0;
        for (long r = 0; r < input.rows(); r++) {
            for (long c = 0; c < columns; c += chunk) {
                int n = (int) Math.min(chunk, columns - c);
                input.readRow(r, c, buffer, n);
                for (int i = 0; i < n; i++) {
                    float v = buffer[i];
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("input element at row " + r + ", column " + (c + i)
                                + " is " + v + ": NaN and infinite values cannot be quantized");
                    }
                    amax = Math.max(amax, Math.abs(v));
                }
            }
        }
        return amax;
    }
}
