using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Awaaz.Server.Agents;
using Awaaz.Server.Calls;
using Awaaz.Server.Voice.Dialogue;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Voice;

/// <summary>
/// The conversation engine: VAD → turn-taking → STT → LLM → TTS → the call's speech output, one cancellation
/// scope per agent turn. Caller audio is never blocked by a turn in progress, so barge-in is detected while the
/// agent speaks; a barge-in clears Smartflo's queue, cancels the turn's LLM and TTS, and keeps in the transcript
/// only what the caller heard.
/// </summary>
public sealed class VoiceAgent(VoiceProviderRegistry providers, IVoiceActivityDetector vad, PipelineResolver pipelines, VoiceMetrics metrics) : IConversationEngine
{
    public Task RunAsync(ConversationContext context, CancellationToken ct) =>
        new Conversation(context, providers, vad, pipelines.Resolve(context.Agent), metrics).RunAsync(ct);

    private sealed class Conversation
    {
        private static readonly string[] Backchannels = ["hmm", "hm", "haan", "ha", "ji", "okay", "ok", "accha", "acha", "right", "uh huh", "mm"];
        private const string DefaultEndCallMessage = "Thank you for your time. Goodbye!";
        private static readonly TimeSpan StalledTurnTimeout = TimeSpan.FromMilliseconds(1500);
        private static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(10);
        private const int ConfirmSpeechMs = 64;
        private const int BackchannelDecisionMs = 800;
        private const int MaxToolRounds = 4;

        private readonly ConversationContext _ctx;
        private readonly EffectivePipeline _pipeline;
        private readonly VoiceMetrics _metrics;
        private readonly ISpeechToText _stt;
        private readonly ITextToSpeech _tts;
        private readonly IChatClient _chat;
        private readonly AgentTools _tools;
        private readonly IVadStream _vad;
        private readonly int _window;
        private readonly Dictionary<string, object?> _variables;
        private readonly List<ChatMessage> _history = [];
        private readonly Channel<string> _finals = Channel.CreateUnbounded<string>();
        private readonly short[] _pending;
        private int _pendingCount;
        private ISpeechRecognition? _recognition;
        private string _partial = "";

        // Turn-taking state (touched only by the input loop).
        private bool _inSpeech;
        private int _speechMs;
        private int _silenceMs;
        private bool _bargedIn;
        private long _speechOnset; // timestamp of the first speech window of the current run
        private DateTimeOffset _lastUserActivity;

        // The agent turn in progress.
        private CancellationTokenSource? _turn;
        private Task _turnTask = Task.CompletedTask;
        private int _userTurns;
        private bool _ending;
        private bool _reprompted;

        public Conversation(ConversationContext ctx, VoiceProviderRegistry providers, IVoiceActivityDetector vad, EffectivePipeline pipeline, VoiceMetrics metrics)
        {
            _ctx = ctx;
            _pipeline = pipeline;
            _metrics = metrics;
            _variables = new Dictionary<string, object?>(PromptTemplate.VariablesFrom(System.Text.Json.JsonSerializer.SerializeToElement(ctx.Call.Variables)));
            _stt = providers.Stt(pipeline.Stt.Provider);
            _tts = providers.Tts(pipeline.Tts.Provider);
            // Providers get the prompt template (a dialogue script keeps its {{placeholders}} for later turns); the LLM history gets it rendered.
            _chat = providers.Llm(pipeline.Llm.Provider).Create(pipeline.Llm, ctx.Agent.Prompt, _variables);
            _history.Add(new ChatMessage(ChatRole.System, PromptTemplate.Render(ctx.Agent.Prompt, _variables)));
            _tools = AgentTools.For(ctx.Agent);
            _vad = vad.CreateStream();
            _window = vad.WindowSamples;
            _pending = new short[_window];
        }

        public async Task RunAsync(CancellationToken ct)
        {
            var phrases = DialogueScript.TryParse(_ctx.Agent.Prompt, out var script, out _) ? script!.Phrases : null;
            _recognition = await _stt.StartAsync(new SpeechRecognitionOptions(_pipeline.Stt.Language, _pipeline.Stt.Model, phrases), ct);
            var reader = Task.Run(() => ReadTranscriptsAsync(ct), ct);
            try
            {
                _lastUserActivity = _ctx.Clock.GetUtcNow();
                if (PromptTemplate.RenderOptional(_ctx.Agent.IntroMessage, _variables) is { Length: > 0 } intro)
                    StartTurn(() => SpeakTextAsync(intro, null, _turn!.Token));
                else if (_pipeline.Llm.Provider == "scripted")
                    StartTurn(() => RespondAsync(null, null, _turn!.Token));

                using var silenceCheck = new PeriodicTimer(TimeSpan.FromSeconds(1), _ctx.Clock);
                var tick = silenceCheck.WaitForNextTickAsync(ct).AsTask();
                var input = _ctx.Input.ReadAsync(ct).AsTask();
                while (!ct.IsCancellationRequested)
                {
                    var done = await Task.WhenAny(input, tick);
                    if (done == tick)
                    {
                        if (!await tick) break;
                        CheckSilence();
                        tick = silenceCheck.WaitForNextTickAsync(ct).AsTask();
                        continue;
                    }
                    CallerInput item;
                    try { item = await input; }
                    catch (ChannelClosedException) { break; }
                    input = _ctx.Input.ReadAsync(ct).AsTask();
                    switch (item)
                    {
                        case CallerAudio audio: await OnAudioAsync(audio, ct); break;
                        case CallerDtmf dtmf: OnUserText(dtmf.Digit, _ctx.Clock.GetUtcNow(), TimeSpan.Zero, TimeSpan.Zero); break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            finally
            {
                _turn?.Cancel();
                await _recognition.DisposeAsync();
                _vad.Dispose();
                await reader.ContinueWith(_ => { });
            }
        }

        // ---- input: VAD and turn-taking ----

        private async Task OnAudioAsync(CallerAudio audio, CancellationToken ct)
        {
            await _recognition!.SendAsync(audio.Samples, ct);
            var offset = 0;
            while (offset < audio.Samples.Length)
            {
                var take = Math.Min(_window - _pendingCount, audio.Samples.Length - offset);
                audio.Samples.AsSpan(offset, take).CopyTo(_pending.AsSpan(_pendingCount));
                _pendingCount += take;
                offset += take;
                if (_pendingCount < _window) break;
                _pendingCount = 0;
                await OnWindowAsync(_vad.Process(_pending), ct);
            }
        }

        private async Task OnWindowAsync(float probability, CancellationToken ct)
        {
            var windowMs = _window * 1000 / 8000;
            var turn = _pipeline.Turn;
            if (probability >= turn.VadThreshold)
            {
                if (_speechMs == 0) _speechOnset = _ctx.Clock.GetTimestamp();
                _speechMs += windowMs;
                _silenceMs = 0;
                if (!_inSpeech && _speechMs >= ConfirmSpeechMs)
                {
                    _inSpeech = true;
                    _bargedIn = false;
                    _lastUserActivity = _ctx.Clock.GetUtcNow();
                }
                if (_inSpeech && !_bargedIn && _ctx.Speech.IsSpeaking && _speechMs >= turn.InterruptionMinSpeechMs && !IsLikelyBackchannel())
                    await BargeInAsync();
                return;
            }
            if (!_inSpeech) { _speechMs = Math.Max(0, _speechMs - windowMs); return; }
            _silenceMs += windowMs;
            if (_silenceMs < turn.EndOfTurnSilenceMs) return;

            // End of the user's speech.
            var spokeMs = _speechMs;
            _inSpeech = false;
            _speechMs = 0;
            var endedAt = _ctx.Clock.GetUtcNow() - TimeSpan.FromMilliseconds(_silenceMs);
            var endpointing = TimeSpan.FromMilliseconds(_silenceMs);
            _silenceMs = 0;
            _lastUserActivity = _ctx.Clock.GetUtcNow();
            var flushStarted = Stopwatch.GetTimestamp();
            await _recognition!.FlushAsync(ct);
            var text = await CollectFinalAsync(ct);
            if (string.IsNullOrWhiteSpace(text)) return;
            if (turn.BackchannelFilter && spokeMs < BackchannelDecisionMs && IsBackchannel(text) && _ctx.Speech.IsSpeaking) return;
            OnUserText(text, endedAt, endpointing, Stopwatch.GetElapsedTime(flushStarted));
        }

        /// <summary>While the short speech could still be "hmm" or "haan", wait for the words (backchannel filter).</summary>
        private bool IsLikelyBackchannel() =>
            _pipeline.Turn.BackchannelFilter && _speechMs < BackchannelDecisionMs && (_partial.Length == 0 || IsBackchannel(_partial));

        private static bool IsBackchannel(string text)
        {
            var t = text.Trim().TrimEnd('.', '!', '?').ToLowerInvariant();
            return Backchannels.Contains(t);
        }

        private async Task BargeInAsync()
        {
            _bargedIn = true;
            _metrics.BargeIn();
            var onset = _speechOnset;
            var cleared = _ctx.Speech.ClearAsync();
            _turn?.Cancel();
            await cleared;
            _metrics.BargeInCleared(_ctx.Clock.GetElapsedTime(onset));
        }

        private async Task<string> CollectFinalAsync(CancellationToken ct)
        {
            var text = new StringBuilder();
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stall.CancelAfter(StalledTurnTimeout);
            try
            {
                // The final arrives after the flush; a recognizer that stalls is not waited for beyond the timeout.
                var first = await _finals.Reader.ReadAsync(stall.Token);
                text.Append(first);
                while (_finals.Reader.TryRead(out var more)) text.Append(' ').Append(more);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (_partial.Length > 0) text.Append(_partial); // a stalled turn uses the last partial rather than waiting for the caller
            }
            _partial = "";
            return text.ToString().Trim();
        }

        private async Task ReadTranscriptsAsync(CancellationToken ct)
        {
            try
            {
                await foreach (var e in _recognition!.ReadEventsAsync(ct))
                {
                    if (e.IsFinal && e.Text.Trim().Length > 0) _finals.Writer.TryWrite(e.Text.Trim());
                    else if (!e.IsFinal) _partial = e.Text.Trim();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _ctx.Logger.LogWarning("Speech recognition for call {CallId} failed: {Error}", _ctx.Call.Id, ex.Message);
            }
        }

        private void CheckSilence()
        {
            if (_ending || _inSpeech || _ctx.Speech.IsSpeaking || !_turnTask.IsCompleted) return;
            if (_ctx.Clock.GetUtcNow() - _lastUserActivity < SilenceTimeout) return;
            _lastUserActivity = _ctx.Clock.GetUtcNow();
            if (!_reprompted)
            {
                _reprompted = true;
                StartTurn(() => SpeakTextAsync("Are you still there?", null, _turn!.Token));
            }
            else
            {
                StartTurn(() => EndCallAsync(null, _turn!.Token));
            }
        }

        // ---- agent turns ----

        private void OnUserText(string text, DateTimeOffset speechEndedAt, TimeSpan endpointing, TimeSpan sttFinal)
        {
            _userTurns++;
            _reprompted = false;
            _ctx.Transcript(new TranscriptTurn("user", "speech", text, speechEndedAt, speechEndedAt, null, false));
            StartTurn(() => RespondAsync(text, (speechEndedAt, endpointing, sttFinal), _turn!.Token));
        }

        /// <summary>One cancellation scope per agent turn; a new turn cancels the previous one.</summary>
        private void StartTurn(Func<Task> run)
        {
            if (_ending) return;
            _turn?.Cancel();
            _turn = new CancellationTokenSource();
            var previous = _turnTask;
            _turnTask = Task.Run(async () =>
            {
                await previous.ContinueWith(_ => { });
                try { await run(); }
                catch (OperationCanceledException) { }
                catch (Exception ex)
                {
                    _ctx.Logger.LogError(ex, "Agent turn failed on call {CallId}", _ctx.Call.Id);
                    await SpeakTextAsync("Sorry, I am having trouble right now.", null, CancellationToken.None);
                    await _ctx.Actions.EndCallAsync(EndReasons.Failed);
                }
            });
        }

        /// <summary>
        /// One agent reply: LLM text is spoken sentence by sentence as it streams; tool calls run after the stream, their
        /// results go back to the LLM, which then speaks about them (bounded rounds).
        /// </summary>
        private async Task RespondAsync(string? userText, (DateTimeOffset EndedAt, TimeSpan Endpointing, TimeSpan SttFinal)? user, CancellationToken turn)
        {
            if (userText is not null) _history.Add(new ChatMessage(ChatRole.User, userText));
            var options = new ChatOptions
            {
                Temperature = (float)_pipeline.Llm.Temperature,
                ModelId = _pipeline.Llm.Model,
                Tools = _tools.Declarations.Count > 0 ? [.. _tools.Declarations] : null,
            };
            var first = true;
            for (var round = 0; round < MaxToolRounds; round++)
            {
                var llmStarted = Stopwatch.GetTimestamp();
                TimeSpan? firstToken = null;
                var reply = new StringBuilder();
                var pending = new StringBuilder();
                var endCall = false;
                var toolCalls = new List<FunctionCallContent>();
                await foreach (var update in _chat.GetStreamingResponseAsync(_history, options, turn))
                {
                    firstToken ??= Stopwatch.GetElapsedTime(llmStarted);
                    foreach (var call in update.Contents.OfType<FunctionCallContent>())
                    {
                        if (call.Name == AgentTools.SetVariable && call.Arguments is { } args && args.TryGetValue("name", out var n) && n is string name)
                        {
                            var value = args.TryGetValue("value", out var v) ? v?.ToString() : null;
                            _variables[name] = value;
                            await _ctx.Actions.SetVariableAsync(name, value);
                        }
                        else if (call.Name == AgentTools.EndCall) endCall = true;
                        else toolCalls.Add(call);
                    }
                    if (update.Text is { Length: > 0 } text)
                    {
                        pending.Append(text);
                        reply.Append(text);
                        foreach (var sentence in TakeSentences(pending))
                        {
                            await SpeakTextAsync(sentence, first && user is { } u ? (u, firstToken.Value) : null, turn);
                            first = false;
                        }
                    }
                }
                if (pending.ToString().Trim() is { Length: > 0 } rest)
                {
                    await SpeakTextAsync(rest, first && user is { } u2 ? (u2, firstToken ?? TimeSpan.Zero) : null, turn);
                    first = false;
                }
                var assistant = new ChatMessage(ChatRole.Assistant, reply.ToString());
                foreach (var call in toolCalls) assistant.Contents.Add(call);
                _history.Add(assistant);
                if (endCall)
                {
                    await EndCallAsync(null, turn, alreadySaid: _pipeline.Llm.Provider == "scripted" && reply.Length > 0);
                    return;
                }
                if (toolCalls.Count == 0) return;
                var results = new List<AIContent>();
                foreach (var call in toolCalls)
                    results.Add(new FunctionResultContent(call.CallId, await InvokeToolAsync(call, turn)));
                _history.Add(new ChatMessage(ChatRole.Tool, results));
                if (_ending) return;
            }
            _ctx.Logger.LogWarning("Call {CallId}: the LLM kept calling tools for {Rounds} rounds; waiting for the caller", _ctx.Call.Id, MaxToolRounds);
        }

        /// <summary>Runs one tool the LLM asked for; the result (or error) is what the LLM reads next.</summary>
        private Task<object?> InvokeToolAsync(FunctionCallContent call, CancellationToken turn) => call.Name switch
        {
            _ => Task.FromResult<object?>(new { error = $"Unknown tool '{call.Name}'." }),
        };

        /// <summary>Speaks one sentence and writes the bot turn, truncated to what the caller heard.</summary>
        private async Task SpeakTextAsync(string text, ((DateTimeOffset EndedAt, TimeSpan Endpointing, TimeSpan SttFinal) User, TimeSpan LlmFirstToken)? measured, CancellationToken turn)
        {
            var started = _ctx.Clock.GetUtcNow();
            var ttsStarted = Stopwatch.GetTimestamp();
            TimeSpan? ttsFirstByte = null;
            async IAsyncEnumerable<ReadOnlyMemory<byte>> Audio()
            {
                await foreach (var chunk in _tts.SynthesizeAsync(text, new SpeechSynthesisOptions(_pipeline.Tts.Voice ?? "en-us", _pipeline.Stt.Language, _pipeline.Tts.Model), turn))
                {
                    ttsFirstByte ??= Stopwatch.GetElapsedTime(ttsStarted);
                    yield return chunk;
                }
            }
            var playback = await _ctx.Speech.SpeakAsync(Audio(), turn);
            var heard = playback.Completed ? text : Truncate(text, playback.Duration > TimeSpan.Zero ? playback.Heard / playback.Duration : 0);
            int? latencyMs = null;
            TurnLatency? breakdown = null;
            if (measured is { } m && playback.FirstFrameSentAt is { } firstFrame)
            {
                latencyMs = (int)Math.Max(0, (firstFrame - m.User.EndedAt).TotalMilliseconds);
                breakdown = new TurnLatency((int)m.User.Endpointing.TotalMilliseconds, (int)m.User.SttFinal.TotalMilliseconds,
                    (int)m.LlmFirstToken.TotalMilliseconds, (int)(ttsFirstByte ?? TimeSpan.Zero).TotalMilliseconds, latencyMs.Value);
                _metrics.Record(breakdown);
            }
            if (heard.Length > 0 || playback.Completed)
                _ctx.Transcript(new TranscriptTurn("bot", "speech", heard, started, _ctx.Clock.GetUtcNow(), latencyMs, !playback.Completed, breakdown));
            _lastUserActivity = _ctx.Clock.GetUtcNow();
            turn.ThrowIfCancellationRequested();
        }

        private async Task EndCallAsync(string? _, CancellationToken turn, bool alreadySaid = false)
        {
            if (!alreadySaid)
                await SpeakTextAsync(PromptTemplate.RenderOptional(_ctx.Agent.EndCallMessage, _variables) ?? DefaultEndCallMessage, null, turn);
            _ending = true;
            await _ctx.Actions.EndCallAsync(EndReasons.AgentEndCall);
        }

        private static IEnumerable<string> TakeSentences(StringBuilder pending)
        {
            var text = pending.ToString();
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var endOfSentence = text[i] is '.' or '!' or '?' or '।' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));
                if (!endOfSentence || i + 1 == text.Length) continue;
                var sentence = text[start..(i + 1)].Trim();
                if (sentence.Length > 0) yield return sentence;
                start = i + 1;
            }
            pending.Remove(0, start);
        }

        private static string Truncate(string text, double fraction)
        {
            if (fraction <= 0) return "";
            var cut = (int)Math.Round(text.Length * Math.Min(1, fraction));
            var space = text.LastIndexOf(' ', Math.Max(0, Math.Min(cut, text.Length - 1)));
            return (space > 0 ? text[..space] : text[..cut]).Trim();
        }
    }
}
