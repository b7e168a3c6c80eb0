package io.nvfp4.tensor;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.E8M0;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Lossless repacking between {@link QuantizedMatrix} and ggml's block layouts (spec section 6), so
 * GGUF tensors can be read and written. The bytes of codes and scales are the same numbers; only
 * their order changes, and ggml's split-half nibble order replaces the adjacent one.
 *
 * <ul>
 * <li>{@code block_mxfp4}, 17 bytes per 32 elements: the E8M0 scale, then {@code qs[16]} with
 *     {@code qs[j] = code(x[j]) | code(x[j + 16]) << 4}.</li>
 * <li>{@code block_nvfp4}, 36 bytes per 64 elements: four UE4M3 scales {@code d[4]}, then
 *     {@code qs[32]}; sub-block s uses {@code d[s]} and {@code qs[8s + j] = code(x[16s + j]) |
 *     code(x[16s + 8 + j]) << 4}. ggml NVFP4 has no tensor scale, so only a matrix whose tensor
 *     scale is exactly 1 repacks without loss.</li>
 * </ul>
 * Bytes that ggml would read differently from the E4M3/E8M0 standard (a UE4M3 with bit 7 set or
 * 0x7F, an E8M0 0xFF) are rejected rather than silently reinterpreted.
 */
public final class GgmlBlocks {
    /** Bytes of one {@code block_nvfp4}. */
    public static final int NVFP4_BLOCK_BYTES = 36;
    /** Elements of one {@code block_nvfp4}. */
    public static final int NVFP4_BLOCK_ELEMENTS = 64;
    /** Bytes of one {@code block_mxfp4}. */
    public static final int MXFP4_BLOCK_BYTES = 17;
    /** Elements of one {@code block_mxfp4}. */
    public static final int MXFP4_BLOCK_ELEMENTS = 32;

    private GgmlBlocks() {}

    /** Repacks an NVFP4 matrix with tensor scale 1 and K a multiple of 64 into {@code block_nvfp4} rows. */
    public static MemorySegment toNvfp4Blocks(QuantizedMatrix q) {
        requireShape(q, BlockFormat.NVFP4, NVFP4_BLOCK_ELEMENTS);
        if (q.tensorScale() != 1f) {
            throw new IllegalArgumentException("block_nvfp4 has no tensor scale; " + q + " has tensor scale "
                    + q.tensorScale() + " and cannot be repacked without loss");
        }
        long blocksPerRow = q.paddedColumns() / NVFP4_BLOCK_ELEMENTS;
        MemorySegment out = Arena.ofAuto().allocate(q.rows() * blocksPerRow * NVFP4_BLOCK_BYTES);
        for (long r = 0; r < q.rows(); r++) {
            for (long b = 0; b < blocksPerRow; b++) {
                long base = (r * blocksPerRow + b) * NVFP4_BLOCK_BYTES;
                for (int s = 0; s < 4; s++) {
                    int scale = q.scaleCode(r, b * 4 + s);
                    checkUe4m3(scale, r, b * 4 + s);
                    out.set(ValueLayout.JAVA_BYTE, base + s, (byte) scale);
                    long c0 = b * NVFP4_BLOCK_ELEMENTS + 16L * s;
                    for (int j = 0; j < 8; j++) {
                        int packed = q.code(r, c0 + j) | q.code(r, c0 + 8 + j) << 4;
                        out.set(ValueLayout.JAVA_BYTE, base + 4 + 8L * s + j, (byte) packed);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Reads {@code rows} rows of {@code block_nvfp4} holding {@code columns} elements each (a multiple
     * of 64) as an NVFP4 matrix with recipe {@link Nvfp4Recipe#GGML} and tensor scale 1.
     */
    public static QuantizedMatrix fromNvfp4Blocks(MemorySegment blocks, long rows, long columns) {
        long blocksPerRow = blocksPerRow(blocks, rows, columns, NVFP4_BLOCK_ELEMENTS, NVFP4_BLOCK_BYTES);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(rows * columns / 2);
        MemorySegment scales = arena.allocate(rows * columns / 16);
        for (long r = 0; r < rows; r++) {
            for (long b = 0; b < blocksPerRow; b++) {
                long base = (r * blocksPerRow + b) * NVFP4_BLOCK_BYTES;
                for (int s = 0; s < 4; s++) {
                    byte scale = blocks.get(ValueLayout.JAVA_BYTE, base + s);
                    checkUe4m3(scale & 0xFF, r, b * 4 + s);
                    scales.set(ValueLayout.JAVA_BYTE, r * (columns / 16) + b * 4 + s, scale);
                    int[] sub = new int[16];
                    for (int j = 0; j < 8; j++) {
                        int packed = blocks.get(ValueLayout.JAVA_BYTE, base + 4 + 8L * s + j) & 0xFF;
                        sub[j] = packed & 0xF;
                        sub[8 + j] = packed >>> 4;
                    }
                    long firstByte = r * (columns / 2) + (b * NVFP4_BLOCK_ELEMENTS + 16L * s) / 2;
                    packAdjacent(sub, codes, firstByte);
                }
            }
        }
        return QuantizedMatrix.wrap(BlockFormat.NVFP4, Nvfp4Recipe.GGML, rows, columns, codes, scales,
                ScaleLayout.ROW_MAJOR, 1f);
    }

    /** Repacks an MXFP4 matrix with K a multiple of 32 into {@code block_mxfp4} rows. */
    public static MemorySegment toMxfp4Blocks(QuantizedMatrix q) {
        requireShape(q, BlockFormat.MXFP4, MXFP4_BLOCK_ELEMENTS);
        long blocksPerRow = q.blocksPerRow();
        MemorySegment out = Arena.ofAuto().allocate(q.rows() * blocksPerRow * MXFP4_BLOCK_BYTES);
        for (long r = 0; r < q.rows(); r++) {
            for (long b = 0; b < blocksPerRow; b++) {
                long base = (r * blocksPerRow + b) * MXFP4_BLOCK_BYTES;
                int scale = q.scaleCode(r, b);
                checkE8m0(scale, r, b);
                out.set(ValueLayout.JAVA_BYTE, base, (byte) scale);
                long c0 = b * MXFP4_BLOCK_ELEMENTS;
                for (int j = 0; j < 16; j++) {
                    int packed = q.code(r, c0 + j) | q.code(r, c0 + 16 + j) << 4;
                    out.set(ValueLayout.JAVA_BYTE, base + 1 + j, (byte) packed);
                }
            }
        }
        return out;
    }

    /**
     * Reads {@code rows} rows of {@code block_mxfp4} holding {@code columns} elements each (a multiple
     * of 32) as an MXFP4 matrix; {@code recipe} records how the bytes were made (ggml's own
     * quantizer is {@link MxRecipe#GGML}).
     */
    public static QuantizedMatrix fromMxfp4Blocks(MemorySegment blocks, long rows, long columns, MxRecipe recipe) {
        long blocksPerRow = blocksPerRow(blocks, rows, columns, MXFP4_BLOCK_ELEMENTS, MXFP4_BLOCK_BYTES);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(rows * columns / 2);
        MemorySegment scales = arena.allocate(rows * blocksPerRow);
        int[] block = new int[32];
        for (long r = 0; r < rows; r++) {
            for (long b = 0; b < blocksPerRow; b++) {
                long base = (r * blocksPerRow + b) * MXFP4_BLOCK_BYTES;
                byte scale = blocks.get(ValueLayout.JAVA_BYTE, base);
                checkE8m0(scale & 0xFF, r, b);
                scales.set(ValueLayout.JAVA_BYTE, r * blocksPerRow + b, scale);
                for (int j = 0; j < 16; j++) {
                    int packed = blocks.get(ValueLayout.JAVA_BYTE, base + 1 + j) & 0xFF;
                    block[j] = packed & 0xF;
                    block[16 + j] = packed >>> 4;
                }
                packAdjacent(block, codes, r * (columns / 2) + b * 16);
            }
        }
        return QuantizedMatrix.wrap(BlockFormat.MXFP4, Objects.requireNonNull(recipe, "recipe"), rows, columns,
                codes, scales, ScaleLayout.ROW_MAJOR, 1f);
    }

    private static void packAdjacent(int[] codes, MemorySegment dst, long firstByte) {
        for (int i = 0; i < codes.length; i += 2) {
            dst.set(ValueLayout.JAVA_BYTE, firstByte + i / 2, (byte) (codes[i] | codes[i + 1] << 4));
        }
    }

    private static void requireShape(QuantizedMatrix q, BlockFormat format, int elementsPerBlock) {
        Objects.requireNonNull(q, "q");
        if (q.format() != format) {
            throw new IllegalArgumentException("expected " + format + ", got " + q);
        }
        if (q.paddedColumns() % elementsPerBlock != 0) {
            throw new IllegalArgumentException("ggml " + format + " blocks hold " + elementsPerBlock
                    + " elements; K = " + q.paddedColumns() + " is not a multiple");
        }
    }

    private static long blocksPerRow(MemorySegment blocks, long rows, long columns, int elements, int bytes) {
        Objects.requireNonNull(blocks, "blocks");
        if (rows < 1 || columns < 1 || columns % elements != 0) {
            throw new IllegalArgumentException("ggml blocks need rows >= 1 and columns a multiple of " + elements
                    + ", got " + rows + " x " + columns);
        }
        long need = Math.multiplyExact(rows, columns / elements * bytes);
        if (blocks.byteSize() != need) {
            throw new IllegalArgumentException(rows + " x " + columns + " needs " + need + " bytes of ggml blocks, got "
                    + blocks.byteSize());
        }
        return columns / elements;
    }

    private static void checkUe4m3(int code, long row, long block) {
        if ((code & 0x80) != 0 || code == 0x7F) {
            throw new IllegalArgumentException(String.format(
                    "scale byte 0x%02X at row %d, block %d is not a finite unsigned E4M3 that ggml reads alike",
                    code, row, block));
        }
    }

    private static void checkE8m0(int code, long row, long block) {
        if (code == E8M0.NAN) {
            throw new IllegalArgumentException("E8M0 scale 0xFF (NaN) at row " + row + ", block " + block
                    + " is rejected by ggml");
        }
    }
}
