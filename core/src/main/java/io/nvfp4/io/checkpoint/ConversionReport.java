package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a conversion did: the settings, every source tensor's fate and error, the files written, and
 * how long it took. {@link #toJson()} is the content of {@code quantization_report.json}.
 *
 * @param input       the source model
 * @param output      the output folder
 * @param layout      the checkpoint layout written
 * @param format      the block format
 * @param scheme      the scheme name the configs carry ({@code W4A16_NVFP4}, {@code nvfp4-pack-quantized}, ...)
 * @param backend     the backend that quantized
 * @param threads     worker threads
 * @param fuseScales  whether fused siblings share tensor scales
 * @param seconds     wall-clock time
 * @param tensors     one report per source tensor, in source order
 * @param files       the files written to the output folder, in the order written
 * @param notes       observations: files not copied, configs not written
 */
public record ConversionReport(Path input, Path output, CheckpointLayout layout, BlockFormat format, String scheme,
                               String backend, int threads, boolean fuseScales, double seconds,
                               List<TensorReport> tensors, List<String> files, List<String> notes) {
    /** Copies the lists. */
    public ConversionReport {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        tensors = List.copyOf(tensors);
        files = List.copyOf(files);
        notes = List.copyOf(notes);
    }

    /** Bytes of source tensor data. */
    public long sourceBytes() {
        return tensors.stream().mapToLong(TensorReport::bytesBefore).sum();
    }

    /** Bytes of output tensor data. */
    public long outputBytes() {
        return tensors.stream().mapToLong(TensorReport::bytesAfter).sum();
    }

    /** The number of tensors quantized. */
    public long quantizedCount() {
        return tensors.stream().filter(TensorReport::quantized).count();
    }

    /** Bytes of source tensor data that were quantized. */
    public long quantizedSourceBytes() {
        return tensors.stream().filter(TensorReport::quantized).mapToLong(TensorReport::bytesBefore).sum();
    }

    /** Source tensor data converted per second, in MB (10^6 bytes). */
    public double megabytesPerSecond() {
        return seconds > 0 ? sourceBytes() / seconds / 1e6 : 0;
    }

    /** The report as a JSON object. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", QuantizationConfigs.producer(Converter.version()));
        json.put("input", input.toString());
        json.put("output", output.toString());
        json.put("layout", layout.cliName());
        json.put("format", format.name());
        json.put("scheme", scheme);
        json.put("backend", backend);
        json.put("threads", threads);
        json.put("fuse_scales", fuseScales);
        json.put("seconds", seconds);
        json.put("source_bytes", sourceBytes());
        json.put("output_bytes", outputBytes());
        json.put("quantized_tensors", quantizedCount());
        json.put("copied_tensors", tensors.size() - quantizedCount());
        json.put("files", files);
        json.put("notes", notes);
        json.put("tensors", tensors.stream().map(TensorReport::toJson).toList());
        return json;
    }

    /** Writes {@link #toJson()} to {@code file} atomically, indented. */
    public void write(Path file) throws IOException {
        Json.write(file, toJson(), Json.Style.INDENT_2);
    }
}
