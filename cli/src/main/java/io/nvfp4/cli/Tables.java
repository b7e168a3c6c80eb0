package io.nvfp4.cli;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Collectors;

/** Cell formats shared by the checkpoint commands' tables. */
final class Tables {
    private Tables() {}

    /** {@code [4096, 14336]}, as PyTorch prints a shape. */
    static String shape(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** An SQNR in dB with two decimals; {@code inf} for an exact reconstruction, {@code nan} for NaN. */
    static String sqnr(double db) {
        if (Double.isNaN(db)) {
            return "nan";
        }
        if (Double.isInfinite(db)) {
            return db > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.2f", db);
    }

    /**
     * Orders tensor names as a person reads them: runs of digits by their value, so that
     * {@code layers.2} comes before {@code layers.10}.
     */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                int c = new BigInteger(a.substring(i, ei)).compareTo(new BigInteger(b.substring(j, ej)));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** An error value with four significant figures. */
    static String error(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4g", value) : String.valueOf(value);
    }
}
