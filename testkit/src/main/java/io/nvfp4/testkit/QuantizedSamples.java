package io.nvfp4.testkit;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.QuantizedMatrix;

import java.util.SplittableRandom;

/**
 * Quantized matrices made of random bytes rather than by a quantizer: every element code and every
 * scale byte occurs, including NaN scales (UE4M3 0x7F, E8M0 0xFF), zero scales, E8M0 scales whose
 * products overflow to infinity or underflow to subnormals, and E2M1 negative zero. Dequantizers must
 * agree on all of them, since a checkpoint may hold any byte.
 */
public final class QuantizedSamples {
    /** Stored tensor scales: modelopt-like, compressed-tensors-like, one, and extremes. */
    private static final float[] TENSOR_SCALES = {0.0019821f, 504.4981f, 1f, 0x1p-30f, 0x1p30f, 3.1e-5f};

    private QuantizedSamples() {}

    /**
     * A {@code rows x columns} matrix of {@code format} with random valid bytes: codes within the
     * element width (FP6 codes in the low 6 bits), any scale byte for E8M0, any unsigned E4M3 byte
     * (0x00 to 0x7F) for NVFP4, and an NVFP4 tensor scale picked from a fixed set.
     */
    public static QuantizedMatrix random(BlockFormat format, Recipe recipe, int rows, int columns,
                                         ScaleLayout layout, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long padded = format.paddedColumns(columns);
        long blocks = padded / format.blockSize();
        byte[] codes = new byte[Math.toIntExact(rows * format.codeBytesPerRow(padded))];
        int codeMask = format.packsTwoPerByte() ? 0xFF : (1 << format.elementType().bits()) - 1;
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (random.nextInt(256) & codeMask);
        }
        byte[] scales = new byte[Math.toIntExact(layout.byteSize(rows, blocks))];
        int scaleMask = format == BlockFormat.NVFP4 ? 0x7F : 0xFF;
        for (int r = 0; r < rows; r++) {
            for (long b = 0; b < blocks; b++) {
                scales[Math.toIntExact(layout.offset(r, b, blocks))] = (byte) (random.nextInt(256) & scaleMask);
            }
        }
        float tensorScale = recipe instanceof Nvfp4Recipe ? TENSOR_SCALES[random.nextInt(TENSOR_SCALES.length)] : 1f;
        return QuantizedMatrix.copyOf(format, recipe, rows, columns, codes, scales, layout, tensorScale);
    }
}
