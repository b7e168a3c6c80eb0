package io.nvfp4.io.checkpoint;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.format.BF16;
import io.nvfp4.format.FP16;
import io.nvfp4.io.Json;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.SafetensorsWriter;
import io.nvfp4.io.ShardPlan;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.io.TensorSpec;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a quantized checkpoint (modelopt, compressed-tensors or gpt-oss) back into a dense model:
 * each quantized weight becomes one dense tensor under its original name and shape (gpt-oss experts
 * as transformers' dequantization returns them, [E, K, N]), every other tensor is copied unchanged,
 * {@code config.json} loses its {@code quantization_config}, and the other files of the folder are
 * copied. The dequantized values are exact in F32; BF16 and F16 round them to nearest, ties to even.
 * Files are written as {@link Converter} writes them: chunk by chunk, each file atomically.
 */
public final class CheckpointDequantizer {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * How to dequantize.
     *
     * @param dtype        the dense tensors' type
     * @param threads      worker threads
     * @param maxShardSize the most bytes of tensor data an output file holds
     * @param overwrite    replace the contents of a non-empty output folder
     */
    public record Options(DType dtype, int threads, long maxShardSize, boolean overwrite) {
        /** Checks the values. */
        public Options {
            Objects.requireNonNull(dtype, "dtype");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            if (maxShardSize < 1) {
                throw new IllegalArgumentException("the maximum shard size must be positive, got " + maxShardSize);
            }
        }
    }

    /**
     * What a dequantization did.
     *
     * @param layout      the checkpoint's layout
     * @param dequantized weights made dense
     * @param copied      tensors copied unchanged
     * @param outputBytes bytes of tensor data written
     * @param seconds     wall-clock time
     * @param files       files written
     * @param notes       observations
     */
    public record Report(CheckpointLayout layout, int dequantized, int copied, long outputBytes, double seconds,
                         List<String> files, List<String> notes) {
        /** Copies the lists. */
        public Report {
            files = List.copyOf(files);
            notes = List.copyOf(notes);
        }
    }

    private CheckpointDequantizer() {}

    /**
     * Dequantizes {@code quantized} into the folder {@code output}.
     *
     * @throws CheckpointException if the input holds no quantized weights, or they cannot be read
     * @throws IOException         if a file cannot be read or written, or the output folder is not usable
     */
    public static Report dequantize(Path quantized, Path output, Options options, ConversionListener listener)
            throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        try (ModelFolder source = ModelFolder.open(quantized)) {
            return new Run(source, output, options, listener).run();
        }
    }

    /** One output tensor: a dequantized weight, or a source tensor copied. */
    private record Entry(TensorSpec spec, QuantizedWeight weight, TensorInfo copyOf) {}

    private static final class Run {
        private final ModelFolder source;
        private final Path output;
        private final Options options;
        private final ConversionListener listener;
        private final Backend backend = Backends.get();
        private final SafetensorsDType dtype;
        private final AtomicInteger done = new AtomicInteger();
        private final List<String> notes = new ArrayList<>();
        private int total;

        Run(ModelFolder source, Path output, Options options, ConversionListener listener) {
            this.source = source;
            this.output = output;
            this.options = options;
            this.listener = listener;
            this.dtype = SafetensorsDType.of(options.dtype());
        }

        Report run() throws IOException {
            long start = System.nanoTime();
            QuantizedCheckpoint checkpoint = QuantizedCheckpoint.of(source);
            if (!checkpoint.isQuantized()) {
                throw new CheckpointException(source.path() + " holds no quantized weights to dequantize");
            }
            List<Entry> entries = plan(checkpoint);
            total = entries.size();
            Map<String, Entry> byName = new HashMap<>();
            entries.forEach(e -> byName.put(e.spec().name(), e));
            ShardPlan shards = ShardPlan.of(entries.stream().map(e -> List.of(e.spec())).toList(), options.maxShardSize());
            long sourceBytes = entries.stream().mapToLong(e -> e.weight() != null ? e.spec().byteSize() : e.copyOf().byteSize()).sum();
            listener.started(entries.size(), sourceBytes);
            OutputFolder.prepare(output, options.overwrite(), source.path());
            List<Path> created = new ArrayList<>();
            List<String> files = new ArrayList<>();
            try (Workers workers = new Workers(options.threads())) {
                List<ShardPlan.Shard> list = shards.shards();
                for (int i = 0; i < list.size(); i++) {
                    ShardPlan.Shard shard = list.get(i);
                    Path target = output.resolve(shard.fileName());
                    Map<String, String> metadata = new LinkedHashMap<>(source.metadata());
                    metadata.putIfAbsent("format", "pt");
                    try (SafetensorsWriter writer = SafetensorsWriter.create(target, shard.tensors(), metadata)) {
                        List<Workers.Work> work = new ArrayList<>();
                        for (TensorSpec t : shard.tensors()) {
                            addWork(byName.get(t.name()), writer, work);
                        }
                        workers.run(work);
                        writer.commit();
                    }
                    created.add(target);
                    files.add(shard.fileName());
                    listener.fileWritten(target, i + 1, list.size());
                }
                if (source.isFolder()) {
                    Set<String> skip = Set.of(ModelFolder.INDEX, ModelFolder.CONFIG, QuantizationConfigs.HF_QUANT_CONFIG,
                            Converter.REPORT_FILE);
                    for (String name : OutputFolder.copyOtherFiles(source.path(), output, skip, notes)) {
                        created.add(output.resolve(name));
                        files.add(name);
                    }
                }
                if (shards.isSharded()) {
                    shards.writeIndex(output);
                    created.add(output.resolve(ModelFolder.INDEX));
                    files.add(ModelFolder.INDEX);
                }
                Optional<Map<String, Object>> config = source.config();
                if (config.isPresent()) {
                    Json.write(output.resolve(ModelFolder.CONFIG), QuantizationConfigs.withoutQuantizationConfig(config.get()),
                            Json.Style.INDENT_2);
                    created.add(output.resolve(ModelFolder.CONFIG));
                    files.add(ModelFolder.CONFIG);
                }
            } catch (IOException | RuntimeException | Error e) {
                OutputFolder.deleteQuietly(created, e);
                throw e;
            }
            int dequantized = (int) entries.stream().filter(e -> e.weight() != null).count();
            return new Report(checkpoint.layout().orElseThrow(), dequantized, entries.size() - dequantized,
                    shards.totalSize(), (System.nanoTime() - start) / 1e9, files, notes);
        }

        /** Source order: a weight takes the place of its codes tensor; its other parts vanish. */
        private List<Entry> plan(QuantizedCheckpoint checkpoint) {
            Map<String, QuantizedWeight> byCodes = new HashMap<>();
            checkpoint.weights().forEach(w -> byCodes.put(w.codesTensor(), w));
            Set<String> parts = new LinkedHashSet<>(checkpoint.components());
            List<Entry> entries = new ArrayList<>();
            for (String name : source.names()) {
                QuantizedWeight w = byCodes.get(name);
                if (w != null) {
                    entries.add(new Entry(new TensorSpec(w.name(), dtype, w.shape()), w, null));
                } else if (!parts.contains(name)) {
                    TensorInfo t = source.info(name);
                    entries.add(new Entry(t.spec(), null, t));
                }
            }
            return entries;
        }

        private void addWork(Entry e, SafetensorsWriter writer, List<Workers.Work> work) throws IOException {
            String name = e.spec().name();
            if (e.weight() == null) {
                MemorySegment data = source.tensor(name).data();
                long size = data.byteSize();
                int slices = Math.toIntExact(Math.max(1, Math.ceilDiv(size, Converter.COPY_SLICE)));
                Countdown countdown = new Countdown(e, slices);
                for (int s = 0; s < slices; s++) {
                    long offset = s * Converter.COPY_SLICE;
                    long length = Math.min(Converter.COPY_SLICE, size - offset);
                    work.add(() -> {
                        writer.write(name, offset, data.asSlice(offset, length));
                        listener.progress(length);
                        countdown.chunkDone();
                    });
                }
                return;
            }
            QuantizedWeight w = e.weight();
            long n = w.rows();
            long k = w.columns();
            int bytes = dtype.bits() / 8;
            if (w.transposed()) {
                Countdown countdown = new Countdown(e, Math.toIntExact(w.experts()));
                for (long x = 0; x < w.experts(); x++) {
                    long expert = x;
                    work.add(() -> {
                        float[] deq = Reconstruction.all(w.matrix(expert), backend);
                        float[] t = new float[deq.length];
                        for (int r = 0; r < n; r++) {
                            for (int c = 0; c < k; c++) {
                                t[(int) (c * n + r)] = deq[(int) (r * k + c)];
                            }
                        }
                        writer.write(name, expert * n * k * bytes, encode(t, t.length));
                        listener.progress(n * k * bytes);
                        countdown.chunkDone();
                    });
                }
                return;
            }
            long per = Math.max(1, Converter.CHUNK_ELEMENTS / k);
            int chunksPerExpert = Math.toIntExact(Math.ceilDiv(n, per));
            Countdown countdown = new Countdown(e, Math.toIntExact(w.experts() * chunksPerExpert));
            for (long x = 0; x < w.experts(); x++) {
                long expert = x;
                for (long first = 0; first < n; first += per) {
                    long f = first;
                    long count = Math.min(per, n - first);
                    work.add(() -> {
                        QuantizedMatrix q = w.matrix(expert);
                        float[] values = new float[Math.toIntExact(count * k)];
                        float[] row = new float[Math.toIntExact(k)];
                        for (long r = 0; r < count; r++) {
                            backend.dequantizeRow(q, f + r, row);
                            System.arraycopy(row, 0, values, (int) (r * k), row.length);
                        }
                        writer.write(name, (expert * n + f) * k * bytes, encode(values, values.length));
                        listener.progress(count * k * bytes);
                        countdown.chunkDone();
                    });
                }
            }
        }

        /** {@code values[0 .. n)} as little-endian bytes of the output dtype. */
        private MemorySegment encode(float[] values, int n) {
            MemorySegment out = MemorySegment.ofArray(new byte[n * (dtype.bits() / 8)]);
            switch (options.dtype()) {
                case F32 -> MemorySegment.copy(values, 0, out, F32_LE, 0, n);
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        out.set(U16_LE, 2L * i, BF16.fromFloat(values[i]));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out.set(U16_LE, 2L * i, FP16.fromFloat(values[i]));
                    }
                }
            }
            return out;
        }

        /** Counts an output tensor's finished pieces; the last one tells the listener. */
        private final class Countdown {
            private final Entry entry;
            private int remaining;

            Countdown(Entry entry, int pieces) {
                this.entry = entry;
                this.remaining = pieces;
            }

            void chunkDone() {
                synchronized (this) {
                    if (--remaining > 0) {
                        return;
                    }
                }
                TensorSpec s = entry.spec();
                QuantizedWeight w = entry.weight();
                String reason = w == null ? "copied" : "dequantized from " + w.format() + " to " + dtype;
                long before = w == null ? s.byteSize() : w.components().stream().mapToLong(c -> source.info(c).byteSize()).sum();
                listener.tensorDone(new TensorReport(s.name(), s.shape(), s.dtype(), null, reason, null, null, Float.NaN, null,
                        List.of(s.name()), before, s.byteSize()), done.incrementAndGet(), total);
            }
        }
    }
}
