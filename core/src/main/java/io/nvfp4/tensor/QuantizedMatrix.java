package io.nvfp4.tensor;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Recipe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * An immutable quantized matrix, rows x columns, blocks along the columns (K): packed element
 * codes, one scale byte per block, and for NVFP4 an FP32 tensor scale.
 *
 * <p>Codes and scales live in {@link MemorySegment}s with {@code long} offsets, so a tensor larger
 * than 2 GB (a mapped checkpoint, say) needs no copy. The segments handed out are read-only; a
 * matrix made by {@link #wrap} does not copy, so its creator must not change the data afterwards.
 *
 * <p>Layout: K is zero-padded to a whole number of blocks ({@link #paddedColumns()}); the logical
 * {@link #columns()} is kept. Codes are {@link BlockFormat#codeBytesPerRow} bytes a row, row-major.
 * Scales are rows x {@link #blocksPerRow()} bytes, {@link ScaleLayout#ROW_MAJOR} (as checkpoints
 * store them) or {@link ScaleLayout#SWIZZLED_128X4} (as cuBLAS consumes them); {@link #withScaleLayout}
 * converts.
 *
 * <p>Value of element (r, c): {@code element(code) * blockFactor(r, c / blockSize)}, where the block
 * factor is {@code fp32(s * g)} for NVFP4 with a decode-direction tensor scale g, {@code fp32(s / g)}
 * for an encode-direction one (compressed-tensors), and {@code 2^(e - 127)} for MX.
 */
public final class QuantizedMatrix {
    private final BlockFormat format;
    private final Recipe recipe;
    private final long rows;
    private final long columns;
    private final long paddedColumns;
    private final MemorySegment codes;
    private final MemorySegment scales;
    private final ScaleLayout scaleLayout;
    private final float tensorScale;

    private QuantizedMatrix(BlockFormat format, Recipe recipe, long rows, long columns, MemorySegment codes,
                            MemorySegment scales, ScaleLayout scaleLayout, float tensorScale) {
        this.format = Objects.requireNonNull(format, "format");
        this.recipe = Objects.requireNonNull(recipe, "recipe");
        this.scaleLayout = Objects.requireNonNull(scaleLayout, "scaleLayout");
        Objects.requireNonNull(codes, "codes");
        Objects.requireNonNull(scales, "scales");
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + rows + " x " + columns);
        }
        if ((format == BlockFormat.NVFP4) != (recipe instanceof Nvfp4Recipe)) {
            throw new IllegalArgumentException("recipe " + recipe + " does not describe " + format);
        }
        this.rows = rows;
        this.columns = columns;
        this.paddedColumns = format.paddedColumns(columns);
        long codeBytes = Math.multiplyExact(rows, format.codeBytesPerRow(paddedColumns));
        if (codes.byteSize() != codeBytes) {
            throw new IllegalArgumentException(format + " " + rows + " x " + columns + " needs " + codeBytes
                    + " code bytes (K padded to " + paddedColumns + "), got " + codes.byteSize());
        }
        long blocks = paddedColumns / format.blockSize();
        long scaleBytes = scaleLayout.byteSize(rows, blocks);
        if (scales.byteSize() != scaleBytes) {
            throw new IllegalArgumentException(format + " " + rows + " x " + columns + " needs " + scaleBytes
                    + " scale bytes in layout " + scaleLayout + " (" + rows + " x " + blocks + " blocks), got "
                    + scales.byteSize());
        }
        if (format.hasTensorScale()) {
            if (!(tensorScale > 0) || !Float.isFinite(tensorScale)) {
                throw new IllegalArgumentException("tensor scale must be positive and finite, got " + tensorScale);
            }
        } else if (tensorScale != 1f) {
            throw new IllegalArgumentException(format + " has no tensor scale; pass 1, got " + tensorScale);
        }
        this.codes = codes.asReadOnly();
        this.scales = scales.asReadOnly();
        this.tensorScale = tensorScale;
    }

    /**
     * Wraps existing code and scale bytes without copying, after checking that their sizes match
     * the shape, format and layout.
     *
     * @param columns     the logical K; storage has K padded to a block multiple
     * @param tensorScale NVFP4: the stored tensor scale, in the direction the recipe stores it
     *                    ({@link Nvfp4Recipe#tensorScaleDivides()}); MX: 1
     * @throws IllegalArgumentException if a size, the recipe or the tensor scale does not fit
     */
    public static QuantizedMatrix wrap(BlockFormat format, Recipe recipe, long rows, long columns,
                                       MemorySegment codes, MemorySegment scales, ScaleLayout scaleLayout,
                                       float tensorScale) {
        return new QuantizedMatrix(format, recipe, rows, columns, codes, scales, scaleLayout, tensorScale);
    }

    /** Like {@link #wrap} over copies of the given arrays. */
    public static QuantizedMatrix copyOf(BlockFormat format, Recipe recipe, long rows, long columns,
                                         byte[] codes, byte[] scales, ScaleLayout scaleLayout, float tensorScale) {
        return wrap(format, recipe, rows, columns, MemorySegment.ofArray(codes.clone()),
                MemorySegment.ofArray(scales.clone()), scaleLayout, tensorScale);
    }

    /** The block format. */
    public BlockFormat format() { return format; }

    /** The recipe the bytes were made with. */
    public Recipe recipe() { return recipe; }

    /** Rows (N for a weight). */
    public long rows() { return rows; }

    /** The logical number of columns (K). */
    public long columns() { return columns; }

    /** Columns as stored: K rounded up to a whole number of blocks. */
    public long paddedColumns() { return paddedColumns; }

    /** Blocks (and scales) per row. */
    public long blocksPerRow() { return paddedColumns / format.blockSize(); }

    /** Bytes of codes per row. */
    public long codeBytesPerRow() { return format.codeBytesPerRow(paddedColumns); }

    /** The packed codes, read-only, rows x {@link #codeBytesPerRow()} bytes. */
    public MemorySegment codes() { return codes; }

    /** The scale bytes, read-only, in {@link #scaleLayout()}. */
    public MemorySegment scales() { return scales; }

    /** The layout of {@link #scales()}. */
    public ScaleLayout scaleLayout() { return scaleLayout; }

    /** NVFP4: the tensor scale as the recipe stores it; MX: 1. */
    public float tensorScale() { return tensorScale; }

    /** Codes plus scale bytes. */
    public long byteSize() { return codes.byteSize() + scales.byteSize(); }

    /** The element code at (row, column), column < {@link #paddedColumns()}. */
    public int code(long row, long column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, paddedColumns);
        long rowBase = row * codeBytesPerRow();
        if (format.packsTwoPerByte()) {
            int b = codes.get(ValueLayout.JAVA_BYTE, rowBase + column / 2);
            return (column & 1) == 0 ? b & 0xF : (b >>> 4) & 0xF;
        }
        return codes.get(ValueLayout.JAVA_BYTE, rowBase + column) & 0xFF;
    }

    /** The scale byte of block {@code block} in {@code row}, whatever the layout. */
    public int scaleCode(long row, long block) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(block, blocksPerRow());
        return scales.get(ValueLayout.JAVA_BYTE, scaleLayout.offset(row, block, blocksPerRow())) & 0xFF;
    }

    /**
     * The factor every element of the block is multiplied by: NVFP4 {@code fp32(s * g)} or
     * {@code fp32(s / g)} (compressed-tensors), MX {@code 2^(e - 127)}; NaN for a NaN scale byte.
     */
    public float blockFactor(long row, long block) {
        return blockFactor(format, recipe, scaleCode(row, block), tensorScale);
    }

    /** The block factor for a scale byte: the single definition every dequantizer follows. */
    public static float blockFactor(BlockFormat format, Recipe recipe, int scaleCode, float tensorScale) {
        float s = format.scaleType().decode(scaleCode);
        if (!format.hasTensorScale()) {
            return s;
        }
        return recipe instanceof Nvfp4Recipe r && r.tensorScaleDivides() ? s / tensorScale : s * tensorScale;
    }

    /** The dequantized value at (row, column): {@code element(code) * blockFactor}. */
    public float get(long row, long column) {
        return format.elementType().decode(code(row, column)) * blockFactor(row, column / format.blockSize());
    }

    /** This matrix with its scales in {@code layout} (this very object if already so). */
    public QuantizedMatrix withScaleLayout(ScaleLayout layout) {
        Objects.requireNonNull(layout, "layout");
        if (layout == scaleLayout) {
            return this;
        }
        long blocks = blocksPerRow();
        MemorySegment converted = Arena.ofAuto().allocate(layout.byteSize(rows, blocks)); // zero-filled padding
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < blocks; c++) {
                byte b = scales.get(ValueLayout.JAVA_BYTE, scaleLayout.offset(r, c, blocks));
                converted.set(ValueLayout.JAVA_BYTE, layout.offset(r, c, blocks), b);
            }
        }
        return new QuantizedMatrix(format, recipe, rows, columns, codes, converted, layout, tensorScale);
    }

    @Override
    public String toString() {
        return format + "[" + rows + " x " + columns + (paddedColumns != columns ? " (padded " + paddedColumns + ")" : "")
                + ", " + recipe + ", scales " + scaleLayout
                + (format.hasTensorScale() ? ", tensor scale " + tensorScale : "") + "]";
    }
}
