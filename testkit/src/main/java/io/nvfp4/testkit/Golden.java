package io.nvfp4.testkit;

import io.nvfp4.format.ScaleLayout;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Expected quantized bytes: packed codes (rows x code bytes per row), scale bytes in
 * {@link ScaleLayout#ROW_MAJOR} (rows x blocks, as checkpoints store them) and the raw bits of the
 * fp32 tensor scale (NVFP4; {@code Float.floatToRawIntBits(1f)} for MX). Checked by
 * {@link QuantizedMatrixAssert#reproduces(Golden)}.
 *
 * @param codes           the code bytes (copied)
 * @param scales          the row-major scale bytes (copied)
 * @param tensorScaleBits {@code Float.floatToRawIntBits} of the stored tensor scale
 */
public record Golden(byte[] codes, byte[] scales, int tensorScaleBits) {

    /** Copies the arrays. */
    public Golden {
        codes = Objects.requireNonNull(codes, "codes").clone();
        scales = Objects.requireNonNull(scales, "scales").clone();
    }

    /** A golden from a float tensor scale. */
    public static Golden of(byte[] codes, byte[] scales, float tensorScale) {
        return new Golden(codes, scales, Float.floatToRawIntBits(tensorScale));
    }

    /** A golden from hex strings (whitespace ignored), as golden files often hold them. */
    public static Golden ofHex(String codesHex, String scalesHex, float tensorScale) {
        HexFormat hex = HexFormat.of();
        return of(hex.parseHex(codesHex.replaceAll("\\s", "")), hex.parseHex(scalesHex.replaceAll("\\s", "")),
                tensorScale);
    }

    /** Records {@code q}'s bytes (scales converted to row-major), e.g. to pin today's output as a golden. */
    public static Golden of(QuantizedMatrix q) {
        QuantizedMatrix rowMajor = q.withScaleLayout(ScaleLayout.ROW_MAJOR);
        return new Golden(rowMajor.codes().toArray(ValueLayout.JAVA_BYTE),
                rowMajor.scales().toArray(ValueLayout.JAVA_BYTE), Float.floatToRawIntBits(q.tensorScale()));
    }

    /** A copy of the code bytes. */
    @Override
    public byte[] codes() {
        return codes.clone();
    }

    /** A copy of the scale bytes. */
    @Override
    public byte[] scales() {
        return scales.clone();
    }

    /** The tensor scale as a float. */
    public float tensorScale() {
        return Float.intBitsToFloat(tensorScaleBits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Golden g && tensorScaleBits == g.tensorScaleBits && Arrays.equals(codes, g.codes)
                && Arrays.equals(scales, g.scales);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(codes) + Arrays.hashCode(scales)) + tensorScaleBits;
    }

    @Override
    public String toString() {
        return "Golden[" + codes.length + " code bytes, " + scales.length + " scale bytes, tensor scale "
                + tensorScale() + String.format(" (0x%08x)]", tensorScaleBits);
    }
}
