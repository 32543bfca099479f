package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.musicgen.AudioChunk;
import dev.musicgen.AudioStream;
import dev.musicgen.CancellationToken;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.generation.ConditionSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.GenerationResult;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.generation.StreamingGeneration;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.pipeline.EngineThread;
import dev.musicgen.internal.t5.T5EncoderModel;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Streaming on the shapes of a released model with random weights (no download): the time from subscribing to
 * {@link StreamingGeneration} (what {@code MusicGenerator.stream} returns) to the first chunk, and the stream's
 * real-time factor, per compute type. Each stream runs the whole pipeline the facade runs: T5-base over a 12-token
 * prompt and the null row, the LM with top-k 250 and CFG 3, the incremental EnCodec 32 kHz decode, chunking and
 * delivery. A plain main, not a test.
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.StreamingBenchmark
 *   [--model small|medium|large] [--compute fp32,f16] [--duration 10] [--chunk 0.5] [--reps 2]
 * </pre>
 *
 * Per stream it prints one {@code RESULT} line: {@code first} (seconds from subscribing to the first chunk, T5
 * included), {@code rtf} (seconds of audio per second of wall time, subscribe to last chunk), {@code steadyrtf} (the
 * same after the first chunk), {@code preroll} (how far, in seconds, a player that starts with the first chunk would
 * fall behind at worst: 0 means playback without a gap), and the load average before and after. After each stream
 * the same generation runs twice without streaming ({@code RESULT oneshot}: T5, LM, one EnCodec decode): on the
 * engine thread that loaded the models and runs the streams, as in {@code MusicGenerator} ({@code thread=engine}), and
 * on a new thread ({@code thread=fresh}), with the process's CPU use in cores, so that the stream's real-time factor
 * can be read against what the machine gives at that moment. On a second thread libtorch runs slower here (see
 * docs/PERFORMANCE.md, Streaming, and {@code EngineThread}).
 */
public final class StreamingBenchmark {
    private StreamingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Shapes.LmSize size = Shapes.LmSize.SMALL;
        List<ComputeType> computes = List.of(ComputeType.FLOAT32, ComputeType.FLOAT16_WEIGHTS);
        double duration = 10;
        double chunk = StreamingGeneration.DEFAULT_CHUNK_SECONDS;
        int reps = 2;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> size = Shapes.LmSize.valueOf(v.toUpperCase(Locale.ROOT));
                case "--compute" -> {
                    List<ComputeType> cs = new ArrayList<>();
                    for (String c : v.split(",")) {
                        cs.add(
                                c.equals("fp32")
                                        ? ComputeType.FLOAT32
                                        : c.equals("f16") ? ComputeType.FLOAT16_WEIGHTS : ComputeType.valueOf(c));
                    }
                    computes = cs;
                }
                case "--duration" -> duration = Double.parseDouble(v);
                case "--chunk" -> chunk = Double.parseDouble(v);
                case "--reps" -> reps = Integer.parseInt(v);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i] + "; options: --model,"
                            + " --compute, --duration, --chunk, --reps");
            }
            i++;
        }
        System.out.println(Machine.describe());
        for (ComputeType c : computes) {
            run(size, c, duration, chunk, reps);
        }
    }

    /** The models of one compute type, loaded on the engine thread. */
    private record Models(
            NDManager root,
            T5EncoderModel t5,
            NDArray projW,
            NDArray projB,
            LMModel lm,
            EncodecModel codec,
            MusicGenLM gen,
            Shapes.LmSize size,
            ComputeType compute) {
        static Models load(Shapes.LmSize size, ComputeType compute) {
            LMConfig cfg = size.config();
            NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
            JniUtils.setGradMode(false); // as the facade's run() does
            T5EncoderModel t5 = T5EncoderModel.load(
                    Shapes.T5_BASE,
                    WeightStore.of("random t5-base", RandomWeights.tensors(RandomWeights.t5(Shapes.T5_BASE), 11)),
                    root);
            NDArray projW = root.randomUniform(-0.03f, 0.03f, new Shape(size.dim, Shapes.T5_BASE.dModel()));
            NDArray projB = root.zeros(new Shape(size.dim));
            LMModel lm = LMModel.load(
                    cfg,
                    WeightStore.of("random " + size.label(), RandomWeights.tensors(RandomWeights.lm(cfg), 7)),
                    root,
                    compute);
            EncodecModel codec = EncodecModel.fromWeights(
                    Shapes.ENCODEC_32K,
                    WeightStore.of("random encodec", RandomEncodecWeights.of(Shapes.ENCODEC_32K, 5)),
                    Device.cpu());
            return new Models(root, t5, projW, projB, lm, codec, new MusicGenLM(lm, codec.frameRate()), size, compute);
        }

        /** T5, then the LM (top-k 250, CFG 3) with {@code frames} hearing every frame, or none when null. */
        GenerationResult generate(double duration, long seed, CancellationToken cancel, MusicGenLM.FrameSink frames) {
            return gen.generate(
                    ConditionSource.fixed(StreamingBenchmark.encode(t5, projW, projB, root)),
                    null,
                    GenerationParams.builder().duration(duration).seed(seed).build(),
                    null,
                    cancel,
                    frames);
        }

        void close() {
            lm.close();
            t5.close();
            codec.close();
            root.close();
        }
    }

    /**
     * As {@code MusicGenerator} does: one engine thread loads the models and runs every generation (the streams' jobs
     * and the {@code thread=engine} one-shots); this thread consumes the streams. {@code thread=fresh} runs the same
     * one-shot on a new thread, which shows what the engine thread avoids.
     */
    private static void run(Shapes.LmSize size, ComputeType compute, double duration, double chunk, int reps) {
        EngineThread engine = new EngineThread();
        try {
            Models m = engine.call(() -> Models.load(size, compute), () -> {});
            System.gc();
            System.out.printf(
                    Locale.ROOT,
                    "built %s (%s), T5-base and EnCodec 32 kHz from random weights; RSS %s MB%n",
                    size.label(),
                    compute,
                    Machine.statusMb("VmRSS"));
            stream(m, engine, 1.0, chunk, 0, -1); // warm-up
            for (int rep = 1; rep <= reps; rep++) {
                final int r = rep;
                stream(m, engine, duration, chunk, r, r);
                engine.call(() -> oneShot(m, duration, r, "engine"), () -> {});
                onFreshThread(() -> oneShot(m, duration, r, "fresh"));
            }
            engine.call(
                    () -> {
                        m.close();
                        return null;
                    },
                    () -> {});
        } finally {
            engine.shutdown();
        }
    }

    private static void stream(Models m, EngineThread engine, double duration, double chunk, long seed, int rep) {
        StreamingGeneration publisher = new StreamingGeneration(
                m.codec(),
                chunk,
                (frames, cancel) -> engine.call(() -> m.generate(duration, seed, cancel, frames), cancel::cancel));
        String loadBefore = Machine.loadavg();
        List<double[]> arrivals = new ArrayList<>(); // {seconds since subscribe, offset seconds, length seconds}
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        try (AudioStream s = AudioStream.of(publisher)) {
            while (s.hasNext()) {
                AudioChunk c = s.next();
                arrivals.add(new double[] {(System.nanoTime() - start) / 1e9, c.offsetSeconds(), c.durationSeconds()});
            }
        }
        double cores = (cpuNanos() - cpu0) / 1e9 / ((System.nanoTime() - start) / 1e9);
        if (rep < 0) {
            return;
        }
        double first = arrivals.get(0)[0];
        double last = arrivals.get(arrivals.size() - 1)[0];
        double[] end = arrivals.get(arrivals.size() - 1);
        double audio = end[1] + end[2];
        double preroll = 0;
        for (double[] a : arrivals) {
            // a player starting at the first chunk's arrival needs chunk i at first + offset_i
            preroll = Math.max(preroll, a[0] - first - a[1]);
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT stream model=%s compute=%s duration=%.0f chunk=%.2f rep=%d chunks=%d"
                        + " first=%.2f total=%.2f rtf=%.3f steadyrtf=%.3f preroll=%.2f cores=%.2f load=%s/%s%n",
                m.size().label(),
                m.compute(),
                duration,
                chunk,
                rep,
                arrivals.size(),
                first,
                last,
                audio / last,
                (audio - arrivals.get(0)[2]) / (last - first),
                preroll,
                cores,
                loadBefore,
                Machine.loadavg());
    }

    /** The same generation without streaming (T5, LM, one EnCodec decode), for the real-time factor it reaches. */
    private static Void oneShot(Models m, double duration, long seed, String thread) {
        String loadBefore = Machine.loadavg();
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        float[][][] audio =
                m.codec().decode(m.generate(duration, seed, null, null).tokens());
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "RESULT oneshot model=%s compute=%s thread=%s duration=%.0f rep=%d total=%.2f"
                        + " rtf=%.3f cores=%.2f load=%s/%s%n",
                m.size().label(),
                m.compute(),
                thread,
                duration,
                seed,
                total,
                audio[0][0].length / (double) m.codec().sampleRate() / total,
                (cpuNanos() - cpu0) / 1e9 / total,
                loadBefore,
                Machine.loadavg());
        return null;
    }

    /** Runs {@code r} on a new thread (grad mode off, as on the engine thread) and waits for it. */
    private static void onFreshThread(Runnable r) {
        Thread t = new Thread(
                () -> {
                    JniUtils.setGradMode(false);
                    r.run();
                },
                "fresh");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** CPU time of the whole process (all threads), ns. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** T5 over a 12-token prompt and the null row, the output projection and the mask, as LmBenchmark does. */
    private static LMConditions encode(T5EncoderModel t5, NDArray projW, NDArray projB, NDManager root) {
        int len = 12;
        try (NDManager m = root.newSubManager()) {
            long[] ids = new long[2 * len];
            long[] mask = new long[ids.length];
            for (int i = 0; i < len; i++) {
                ids[i] = 100 + 37 * i;
                mask[i] = 1;
            }
            ids[len] = 1; // the null row: "" is just </s>
            mask[len] = 1;
            NDArray idArr = m.create(ids, new Shape(2, len));
            NDArray maskArr = m.create(mask, new Shape(2, len));
            NDArray out = F.linear(t5.forward(idArr, maskArr), projW, projB)
                    .mul(maskArr.toType(DataType.FLOAT32, false).reshape(2, len, 1));
            return LMConditions.of(new LMConditions.Tensor("description", out.toFloatArray(), 2, len, (int)
                    projW.getShape().get(0)));
        }
    }
}
