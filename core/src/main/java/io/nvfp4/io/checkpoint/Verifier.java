package io.nvfp4.io.checkpoint;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.Tensor;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a quantized checkpoint against the dense model it was made from: every original tensor is
 * there, quantized with the same dense shape or byte-identical; nothing else is there; the configs
 * agree with the tensors (see {@link QuantizedCheckpoint#problems()}); and every quantized weight,
 * dequantized, is within a minimum SQNR of its original and has no NaN. Reads every tensor once,
 * in chunks on the worker threads; memory stays bounded by a chunk a thread (a whole expert matrix
 * for the gpt-oss layout, whose dense tensors are transposed).
 */
public final class Verifier {
    /**
     * The default SQNR bound, in dB. Round-to-nearest NVFP4 gives about 20 dB on normal data and MXFP4
     * about 19; real weights with outliers a few dB less. A broken export (swapped nibbles, the tensor
     * scale's direction inverted, transposed codes) falls to 0 dB or below, far under the bound.
     */
    public static final double DEFAULT_MIN_SQNR_DB = 10;

    private Verifier() {}

    /**
     * Verifies {@code quantized} against {@code original}.
     *
     * @param minSqnrDb a quantized weight below this SQNR is a problem
     * @param threads   worker threads
     * @throws IOException if a folder cannot be read, or the checkpoint's layout cannot be (a
     *                     {@link CheckpointException} or {@link io.nvfp4.io.SafetensorsFormatException})
     */
    public static VerificationReport verify(Path original, Path quantized, double minSqnrDb, int threads,
                                            ConversionListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        try (ModelFolder dense = ModelFolder.open(original); ModelFolder packed = ModelFolder.open(quantized);
             Workers workers = new Workers(threads)) {
            return new Run(dense, packed, minSqnrDb, listener).run(workers);
        }
    }

    private static final class Run {
        private final ModelFolder dense;
        private final ModelFolder packed;
        private final double minSqnrDb;
        private final ConversionListener listener;
        private final Backend backend = Backends.get();
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private final List<String> notes = new ArrayList<>();

        Run(ModelFolder dense, ModelFolder packed, double minSqnrDb, ConversionListener listener) {
            this.dense = dense;
            this.packed = packed;
            this.minSqnrDb = minSqnrDb;
            this.listener = listener;
        }

        VerificationReport run(Workers workers) throws IOException {
            QuantizedCheckpoint checkpoint = QuantizedCheckpoint.of(packed);
            if (!checkpoint.isQuantized()) {
                throw new CheckpointException(packed.path() + " holds no quantized weights to verify");
            }
            QuantizedCheckpoint originalContent = QuantizedCheckpoint.of(dense);
            if (originalContent.isQuantized()) {
                throw new CheckpointException(dense.path() + " is itself quantized; verify compares against the dense original");
            }
            problems.addAll(checkpoint.problems());
            notes.addAll(checkpoint.notes());
            listener.started(dense.names().size(), dense.totalSize());

            Map<String, Accumulator> errors = new LinkedHashMap<>();
            List<Workers.Work> work = new ArrayList<>();
            int[] copied = {0};
            for (String name : dense.names()) {
                TensorInfo o = dense.info(name);
                var weight = checkpoint.weight(name);
                if (weight.isPresent()) {
                    QuantizedWeight w = weight.get();
                    if (!Arrays.equals(w.shape(), o.shape())) {
                        problems.add("'" + name + "' is " + Arrays.toString(o.shape()) + " in the original but its quantized form is "
                                + Arrays.toString(w.shape()));
                    } else if (o.dtype().floatType().isEmpty()) {
                        problems.add("'" + name + "' is " + o.dtype() + " in the original, which cannot have been quantized");
                    } else {
                        Accumulator acc = new Accumulator(w);
                        errors.put(name, acc);
                        errorWork(w, dense.tensor(name), acc, work);
                    }
                } else if (checkpoint.components().contains(name)) {
                    problems.add("'" + name + "' of the original is a part of a quantized weight in the checkpoint");
                } else if (!packed.contains(name)) {
                    problems.add("'" + name + "' is missing from the checkpoint");
                } else {
                    TensorInfo p = packed.info(name);
                    if (p.dtype() != o.dtype() || !Arrays.equals(p.shape(), o.shape())) {
                        problems.add("'" + name + "' is " + o.dtype() + Arrays.toString(o.shape()) + " in the original but "
                                + p.dtype() + Arrays.toString(p.shape()) + " in the checkpoint");
                    } else {
                        copied[0]++;
                        sameBytesWork(name, work);
                    }
                }
            }
            for (QuantizedWeight w : checkpoint.weights()) {
                if (!dense.contains(w.name())) {
                    problems.add("quantized weight '" + w.name() + "' has no original tensor");
                }
            }
            for (String name : packed.names()) {
                if (!dense.contains(name) && !checkpoint.components().contains(name)) {
                    problems.add("'" + name + "' is in the checkpoint but neither in the original nor part of a quantized weight");
                }
            }
            workers.run(work);
            List<VerificationReport.WeightError> weights = new ArrayList<>();
            for (Accumulator acc : errors.values()) {
                ErrorSummary e = acc.total();
                weights.add(new VerificationReport.WeightError(acc.weight.name(), acc.weight.shape(), e));
                double sqnr = e.sqnrDb();
                if (Double.isNaN(sqnr) || Double.isNaN(e.maxAbsError())) {
                    problems.add("'" + acc.weight.name() + "' dequantizes to NaN");
                } else if (sqnr < minSqnrDb) {
                    problems.add(String.format(Locale.ROOT, "'%s' has SQNR %.2f dB, below the bound of %.1f dB",
                            acc.weight.name(), sqnr, minSqnrDb));
                }
            }
            return new VerificationReport(dense.path(), packed.path(), checkpoint.layout().orElseThrow(),
                    checkpoint.format().orElseThrow(), weights, copied[0], problems, notes);
        }

        /** Chunks of rows (an expert at a time when transposed) compared against the original. */
        private void errorWork(QuantizedWeight w, Tensor original, Accumulator acc, List<Workers.Work> work) {
            long n = w.rows();
            long k = w.columns();
            long bytesPerElement = original.dtype().bits() / 8;
            for (long e = 0; e < w.experts(); e++) {
                long expert = e;
                if (w.transposed()) {
                    work.add(() -> {
                        QuantizedMatrix q = w.matrix(expert);
                        acc.add(Reconstruction.transposed(original.rows(expert * k, k), q, backend));
                        listener.progress(n * k * bytesPerElement);
                    });
                    continue;
                }
                long per = Math.max(1, Converter.CHUNK_ELEMENTS / k);
                for (long first = 0; first < n; first += per) {
                    long f = first;
                    long count = Math.min(per, n - first);
                    work.add(() -> {
                        QuantizedMatrix q = w.matrix(expert);
                        acc.add(Reconstruction.rows(original.rows(expert * n + f, count), q, f, backend));
                        listener.progress(count * k * bytesPerElement);
                    });
                }
            }
        }

        /** Slices of a copied tensor compared byte for byte. */
        private void sameBytesWork(String name, List<Workers.Work> work) {
            long size = dense.info(name).byteSize();
            for (long at = 0; at < size; at += Converter.COPY_SLICE) {
                long offset = at;
                long length = Math.min(Converter.COPY_SLICE, size - at);
                work.add(() -> {
                    MemorySegment a = dense.tensor(name).data().asSlice(offset, length);
                    MemorySegment b = packed.tensor(name).data().asSlice(offset, length);
                    long mismatch = a.mismatch(b);
                    if (mismatch >= 0) {
                        problems.add("'" + name + "' differs from the original at byte " + (offset + mismatch)
                                + " though it was to be copied unchanged");
                    }
                    listener.progress(length);
                });
            }
        }
    }

    /** A weight's error, merged from its chunks as they finish. */
    private static final class Accumulator {
        final QuantizedWeight weight;
        private ErrorSummary total = ErrorSummary.EMPTY;

        Accumulator(QuantizedWeight weight) {
            this.weight = weight;
        }

        synchronized void add(ErrorSummary e) {
            total = total.merge(e);
        }

        synchronized ErrorSummary total() {
            return total;
        }
    }
}
