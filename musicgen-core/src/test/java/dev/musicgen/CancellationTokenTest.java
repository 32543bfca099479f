package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {
    @Test
    void a_callers_token_stays_cancelled() {
        CancellationToken t = new CancellationToken();
        t.cancel();
        t.callEnded();
        assertThat(t.isCancelled()).isTrue();
        assertThatThrownBy(t::throwIfCancelled).isInstanceOf(GenerationCancelledException.class);
    }

    @Test
    void a_requests_own_token_is_cleared_when_the_call_ends() {
        CancellationToken t = GenerationRequest.builder().prompt("x").build().cancellation();
        assertThat(t.isCancelled()).isFalse();
        t.cancel();
        assertThat(t.isCancelled()).isTrue();
        t.callEnded();
        assertThat(t.isCancelled()).isFalse();
    }

    @Test
    void any_of_follows_every_token() {
        CancellationToken a = new CancellationToken();
        CancellationToken b = CancellationToken.perCall();
        CancellationToken any = CancellationToken.anyOf(List.of(a, b));
        assertThat(any.isCancelled()).isFalse();
        b.cancel();
        assertThat(any.isCancelled()).isTrue();
        b.callEnded();
        assertThat(any.isCancelled()).isFalse();
    }
}
