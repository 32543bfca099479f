package dev.musicgen.internal.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code DelayedPatternProvider} ({@code audiocraft/modules/codebooks_patterns.py} @ v1.2.0):
 * codebook {@code q} is shifted right by {@code delays[q]} steps. For delays {@code [0,1,2,3]} and T timesteps the
 * sequence has {@code S = T + 4} steps: an empty first step, then step {@code t+1} holds {@code (t - delay_q, q)} for
 * every q with {@code t - delay_q >= 0}.
 */
public final class DelayedPatternProvider {
    private final int nQ;
    private final List<Integer> delays;
    private final int flattenFirst;
    private final int emptyInitial;

    public DelayedPatternProvider(int nQ, List<Integer> delays, int flattenFirst, int emptyInitial) {
        if (nQ <= 0) {
            throw new IllegalArgumentException("nQ must be positive, but is: " + nQ);
        }
        if (delays == null) {
            delays = new ArrayList<>();
            for (int q = 0; q < nQ; q++) {
                delays.add(q);
            }
        }
        if (delays.size() != nQ) {
            throw new IllegalArgumentException("delays " + delays + " must have nQ = " + nQ + " entries");
        }
        List<Integer> sorted = new ArrayList<>(delays);
        sorted.sort(null);
        if (!sorted.equals(delays)) {
            throw new IllegalArgumentException("delays must be sorted ascending, but are: " + delays);
        }
        this.nQ = nQ;
        this.delays = List.copyOf(delays);
        this.flattenFirst = flattenFirst;
        this.emptyInitial = emptyInitial;
    }

    public DelayedPatternProvider(int nQ, List<Integer> delays) {
        this(nQ, delays, 0, 0);
    }

    public int nQ() {
        return nQ;
    }

    public List<Integer> delays() {
        return delays;
    }

    public Pattern getPattern(int timesteps) {
        if (timesteps < 0) {
            throw new IllegalArgumentException("timesteps must be non-negative, but is: " + timesteps);
        }
        List<List<Pattern.LayoutCoord>> out = new ArrayList<>();
        out.add(List.of());
        int maxDelay = delays.get(delays.size() - 1);
        for (int i = 0; i < emptyInitial; i++) {
            out.add(List.of());
        }
        for (int t = 0; t < Math.min(timesteps, flattenFirst); t++) {
            for (int q = 0; q < nQ; q++) {
                out.add(List.of(new Pattern.LayoutCoord(t, q)));
            }
        }
        for (int t = flattenFirst; t < timesteps + maxDelay; t++) {
            List<Pattern.LayoutCoord> v = new ArrayList<>();
            for (int q = 0; q < nQ; q++) {
                int tq = t - delays.get(q);
                if (tq >= flattenFirst) {
                    v.add(new Pattern.LayoutCoord(tq, q));
                }
            }
            out.add(v);
        }
        return new Pattern(out, timesteps, nQ);
    }
}
