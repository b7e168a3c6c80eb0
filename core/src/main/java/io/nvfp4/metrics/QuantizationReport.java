package io.nvfp4.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What quantization cost, tensor by tensor: error statistics against the source, the per-block SQNR
 * histogram, and the bytes before and after. Prints as a table and serialises to JSON; the converter
 * and the demo use it. Immutable once built; {@link #measure} reads a tensor row by row, so memory
 * stays at a few rows whatever the tensor's size.
 */
public final class QuantizationReport {
    /**
     * One tensor's line.
     *
     * @param name        the tensor's name
     * @param rows        rows (N)
     * @param columns     logical columns (K)
     * @param format      the block format, e.g. "NVFP4"
     * @param method      how it was made: recipe and options, e.g. "MODELOPT, scale rule MSE_SEARCH"
     * @param error       statistics over all elements
     * @param blocks      per-block SQNR histogram
     * @param bytesBefore bytes of the source tensor
     * @param bytesAfter  bytes of codes and scales (and the tensor scale)
     */
    public record Row(String name, long rows, long columns, String format, String method, ErrorStats error,
                      BlockSqnrHistogram blocks, long bytesBefore, long bytesAfter) {
        /** Validates the components. */
        public Row {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(blocks, "blocks");
        }
    }

    private final List<Row> rows;

    /** A report of {@code rows}, in that order. */
    public QuantizationReport(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** The rows. */
    public List<Row> rows() {
        return rows;
    }

    /**
     * Measures {@code quantized} against its {@code source}: dequantizes one row at a time and
     * accumulates the statistics and the block histogram.
     *
     * @param method how the tensor was quantized, for the report
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Row measure(String name, FloatMatrix source, QuantizedMatrix quantized, String method) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(quantized, "quantized");
        if (source.rows() != quantized.rows() || source.columns() != quantized.columns()) {
            throw new IllegalArgumentException(name + ": source is " + source.rows() + " x " + source.columns()
                    + ", quantized " + quantized.rows() + " x " + quantized.columns());
        }
        int columns = Math.toIntExact(source.columns());
        int blockSize = quantized.format().blockSize();
        float[] x = new float[columns];
        float[] y = new float[columns];
        ErrorStats.Sums sums = new ErrorStats.Sums();
        BlockSqnrHistogram histogram = new BlockSqnrHistogram();
        for (long r = 0; r < source.rows(); r++) {
            source.readRow(r, 0, x, columns);
            Dequantizer.dequantizeRow(quantized, r, y);
            sums.add(x, y, columns);
            for (int from = 0; from < columns; from += blockSize) {
                double signal = 0;
                double noise = 0;
                for (int i = from; i < Math.min(columns, from + blockSize); i++) {
                    double d = (double) x[i] - y[i];
                    signal += (double) x[i] * x[i];
                    noise += d * d;
                }
                histogram.add(signal, noise);
            }
        }
        long bytesBefore = source.rows() * source.columns() * source.dtype().byteSize();
        long bytesAfter = quantized.byteSize() + (quantized.format().hasTensorScale() ? 4 : 0);
        return new Row(name, source.rows(), source.columns(), quantized.format().name(), method, sums.stats(),
                histogram, bytesBefore, bytesAfter);
    }

    /** A fixed-width table: one line per tensor, then the totals. */
    public String toTable() {
        String format = "%-40s %-13s %-8s %8s %12s %11s %9s %12s %12s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, format, "tensor", "shape", "format", "SQNR dB", "max abs err", "cosine",
                "<10dB blk", "bytes before", "bytes after"));
        long before = 0;
        long after = 0;
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, format, r.name(), r.rows() + "x" + r.columns(), r.format(),
                    String.format(Locale.ROOT, "%.2f", r.error().sqnrDb()),
                    String.format(Locale.ROOT, "%.4g", r.error().maxAbsError()),
                    String.format(Locale.ROOT, "%.6f", r.error().cosineSimilarity()),
                    r.blocks().blocksBelow(10), r.bytesBefore(), r.bytesAfter()));
            before += r.bytesBefore();
            after += r.bytesAfter();
        }
        sb.append(String.format(Locale.ROOT, format, "total (" + rows.size() + " tensors)", "", "", "", "", "", "",
                before, after));
        return sb.toString();
    }

    /** The report as one JSON document: {@code {"tensors": [...]}}. */
    public String toJson() {
        StringWriter out = new StringWriter();
        writeJson(out);
        return out.toString();
    }

    /**
     * Writes the report as JSON: per tensor its name, shape, format, method, bytes, the error
     * statistics (non-finite values as null) and the block histogram keyed by bin label.
     */
    public void writeJson(Writer out) {
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeArrayFieldStart("tensors");
            for (Row r : rows) {
                json.writeStartObject();
                json.writeStringField("name", r.name());
                json.writeArrayFieldStart("shape");
                json.writeNumber(r.rows());
                json.writeNumber(r.columns());
                json.writeEndArray();
                json.writeStringField("format", r.format());
                json.writeStringField("method", r.method());
                json.writeNumberField("bytes_before", r.bytesBefore());
                json.writeNumberField("bytes_after", r.bytesAfter());
                number(json, "sqnr_db", r.error().sqnrDb());
                number(json, "mse", r.error().mse());
                number(json, "max_abs_error", r.error().maxAbsError());
                number(json, "max_rel_error", r.error().maxRelError());
                number(json, "cosine", r.error().cosineSimilarity());
                json.writeObjectFieldStart("block_sqnr_histogram");
                String[] labels = BlockSqnrHistogram.labels();
                long[] counts = r.blocks().counts();
                for (int i = 0; i < labels.length; i++) {
                    json.writeNumberField(labels[i], counts[i]);
                }
                json.writeNumberField("exact", r.blocks().exactBlocks());
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quantization report", e);
        }
    }

    /** JSON has no Infinity or NaN: an exact tensor's SQNR (+Infinity) is written as null. */
    private static void number(JsonGenerator json, String field, double value) throws IOException {
        if (Double.isFinite(value)) {
            json.writeNumberField(field, value);
        } else {
            json.writeNullField(field);
        }
    }
}
