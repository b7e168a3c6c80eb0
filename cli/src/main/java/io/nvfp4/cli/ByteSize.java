package io.nvfp4.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them: {@code 5GB} (10^9, as transformers' {@code max_shard_size}
 * reads it), {@code 5GiB} (2^30), {@code 500MB}, {@code 1.5GB}, or plain bytes. Parsing is picocli's
 * converter for size options; {@link #format} prints counts for reports.
 */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    /**
     * Parses a size.
     *
     * @throws CommandLine.TypeConversionException if it is not a positive size (a usage error)
     */
    @Override
    public Long convert(String value) {
        Matcher m = SIZE.matcher(value.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size such as 5GB, 500MB, 2GiB or 1000000");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit.charAt(0)) {
            case 'k' -> unit.contains("i") ? 1L << 10 : 1_000L;
            case 'm' -> unit.contains("i") ? 1L << 20 : 1_000_000L;
            case 'g' -> unit.contains("i") ? 1L << 30 : 1_000_000_000L;
            case 't' -> unit.contains("i") ? 1L << 40 : 1_000_000_000_000L;
            default -> 1L;
        };
        long bytes;
        try {
            bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier)).longValueExact();
        } catch (ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number of bytes, or too large");
        }
        if (bytes < 1) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be at least one byte");
        }
        return bytes;
    }

    /** {@code bytes} in decimal units with three significant figures: {@code 14.9 GB}, {@code 512 kB}, {@code 7 B}. */
    static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String digits = v >= 99.95 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 9.995 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return digits + " " + units[u];
    }
}
