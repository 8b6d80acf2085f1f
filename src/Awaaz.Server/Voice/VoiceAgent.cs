using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Awaaz.Server.Agents;
using Awaaz.Server.Calls;
using Awaaz.Server.Functions;
using Awaaz.Server.Voice.Dialogue;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Voice;

/// <summary>
/// The conversation engine: VAD → turn-taking → STT → LLM → TTS → the call's speech output, one cancellation
/// scope per agent turn. Caller audio is never blocked by a turn in progress, so barge-in is detected while the
/// agent speaks; a barge-in clears Smartflo's queue, cancels the turn's LLM and TTS, and keeps in the transcript
/// only what the caller heard.
/// </summary>
public sealed class VoiceAgent(VoiceProviderRegistry providers, IVoiceActivityDetector vad, PipelineResolver pipelines, VoiceMetrics metrics, FunctionRunner functions) : IConversationEngine
{
    public Task RunAsync(ConversationContext context, CancellationToken ct) =>
        new Conversation(context, providers, vad, pipelines.Resolve(context.Agent), metrics, functions).RunAsync(ct);

    private sealed class Conversation
    {
        private static readonly string[] Backchannels = ["hmm", "hm", "haan", "ha", "ji", "okay", "ok", "accha", "acha", "right", "uh huh", "mm"];
        private const string DefaultEndCallMessage = "Thank you for your time. Goodbye!";
        /// <summary>How long past its playing time the transfer announcement's mark is waited for (smartflo.md §11.5).</summary>
        private static readonly TimeSpan AnnouncementMarkWait = TimeSpan.FromSeconds(10);
        private const int MaxTransferNoteChars = 500;
        private static readonly TimeSpan StalledTurnTimeout = TimeSpan.FromMilliseconds(1500);
        private static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(10);
        private const int ConfirmSpeechMs = 64;
        private const int BackchannelDecisionMs = 800;
        private const int MaxToolRounds = 4;
        private static readonly TimeSpan WrapUpLead = TimeSpan.FromSeconds(30);
        private const int MachineGreetingOverMs = 1500;
        private static readonly TimeSpan MaxGreetingWait = TimeSpan.FromSeconds(20);

        private readonly ConversationContext _ctx;
        private readonly EffectivePipeline _pipeline;
        private readonly VoiceMetrics _metrics;
        private readonly ISpeechToText _stt;
        private readonly ITextToSpeech _tts;
        private readonly ITextToSpeech? _offlineTts;
        private readonly IChatClient _chat;
        private readonly AgentTools _tools;
        private readonly FunctionRunner _functions;
        private readonly IVadStream _vad;
        private readonly int _window;
        private readonly Dictionary<string, object?> _variables;
        private readonly List<ChatMessage> _history = [];
        private readonly Channel<string> _finals = Channel.CreateUnbounded<string>();
        private readonly short[] _pending;
        private int _pendingCount;
        private ISpeechRecognition? _recognition;
        private string _partial = "";
        private volatile Exception? _sttFailure; // set by whichever task sees the recognizer die; acted on by the input loop
        private bool _recognitionClosing;

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
        private DateTimeOffset _deadline;
        private bool _wrapUpSaid;
        /// <summary>From the transfer announcement until Smartflo's answer: no barge-in, no new turns.</summary>
        private volatile bool _transferring;
        private CancellationToken _lifetime;

        // Voicemail detection (outbound calls whose agent enables it).
        private readonly VoicemailDetector? _answer;
        private DateTimeOffset? _machineSince;
        private int _machineSilenceMs;
        private bool _failing;
        private readonly StringBuilder _heardInTurn = new();
        private int _troubledTurns; // consecutive turns that needed a retry or an apology

        public Conversation(ConversationContext ctx, VoiceProviderRegistry providers, IVoiceActivityDetector vad, EffectivePipeline pipeline, VoiceMetrics metrics, FunctionRunner functions)
        {
            _functions = functions;
            _ctx = ctx;
            _pipeline = pipeline;
            _metrics = metrics;
            _variables = new Dictionary<string, object?>(PromptTemplate.VariablesFrom(System.Text.Json.JsonSerializer.SerializeToElement(ctx.Call.Variables)));
            _stt = providers.Stt(pipeline.Stt.Provider);
            _tts = providers.Tts(pipeline.Tts.Provider);
            _offlineTts = providers.OfflineTts;
            // Providers get the prompt template (a dialogue script keeps its {{placeholders}} for later turns); the LLM history gets it rendered.
            _chat = providers.Llm(pipeline.Llm.Provider).Create(pipeline.Llm, ctx.Agent.Prompt, _variables);
            _history.Add(new ChatMessage(ChatRole.System, PromptTemplate.Render(ctx.Agent.Prompt, _variables)));
            _tools = AgentTools.For(ctx.Agent);
            if (ctx.Agent.VoicemailDetectionEnabled && ctx.Call.Direction == "outbound") _answer = new VoicemailDetector();
            _vad = vad.CreateStream();
            _window = vad.WindowSamples;
            _pending = new short[_window];
        }

        public async Task RunAsync(CancellationToken ct)
        {
            _lifetime = ct;
            var phrases = DialogueScript.TryParse(_ctx.Agent.Prompt, out var script, out _) ? script!.Phrases : null;
            try
            {
                _recognition = await _stt.StartAsync(new SpeechRecognitionOptions(_pipeline.Stt.Language, _pipeline.Stt.Model, phrases), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // No recognizer, no conversation: say sorry with the working TTS and end.
                await EndAfterFailureAsync(new PipelineFailure(PipelineFailure.Stt, _stt.Name, ex));
                _vad.Dispose();
                return;
            }
            var reader = Task.Run(() => ReadTranscriptsAsync(ct), ct);
            try
            {
                _lastUserActivity = _ctx.Clock.GetUtcNow();
                _deadline = (_ctx.Call.StartedAt ?? _lastUserActivity).AddSeconds(_ctx.Call.MaxDurationSecs);
                if (PromptTemplate.RenderOptional(_ctx.Agent.IntroMessage, _variables) is { Length: > 0 } intro)
                    StartTurn(t => SpeakTextAsync(intro, null, t));
                else if (_pipeline.Llm.Provider == "scripted")
                    StartTurn(t => RespondAsync(null, null, t));

                using var silenceCheck = new PeriodicTimer(TimeSpan.FromSeconds(1), _ctx.Clock);
                var tick = silenceCheck.WaitForNextTickAsync(ct).AsTask();
                var input = _ctx.Input.ReadAsync(ct).AsTask();
                while (!ct.IsCancellationRequested)
                {
                    var done = await Task.WhenAny(input, tick);
                    if (done == tick)
                    {
                        if (!await tick) break;
                        CheckDeadline();
                        CheckVoicemail();
                        CheckRecognizer();
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
                        case CallerDtmf dtmf:
                            _answer?.OnDtmf();
                            OnUserText(dtmf.Digit, _ctx.Clock.GetUtcNow(), TimeSpan.Zero, TimeSpan.Zero, transcribed: true); break;
                    }
                    CheckRecognizer();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            finally
            {
                _turn?.Cancel();
                _recognitionClosing = true;
                await _recognition.DisposeAsync();
                _vad.Dispose();
                await reader.ContinueWith(_ => { });
            }
        }

        // ---- input: VAD and turn-taking ----

        private async Task OnAudioAsync(CallerAudio audio, CancellationToken ct)
        {
            if (_sttFailure is not null) return; // the call is being ended; nobody listens any more
            try { await _recognition!.SendAsync(audio.Samples, ct); }
            catch (Exception ex) when (ex is not OperationCanceledException) { _sttFailure ??= ex; return; }
            var offset = 0;
            while (offset < audio.Samples.Length)
            {
                var take = Math.Min(_window - _pendingCount, audio.Samples.Length - offset);
                audio.Samples.AsSpan(offset, take).CopyTo(_pending.AsSpan(_pendingCount));
                _pendingCount += take;
                offset += take;
                if (_pendingCount < _window) break;
                _pendingCount = 0;
                var probability = _vad.Process(_pending);
                if (_answer is not null) OnAnswerWindow(probability >= _pipeline.Turn.VadThreshold);
                await OnWindowAsync(probability, ct);
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
                if (_inSpeech && !_bargedIn && _machineSince is null && !_transferring && _ctx.Speech.IsSpeaking && _speechMs >= turn.InterruptionMinSpeechMs && !IsLikelyBackchannel())
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
            try { await _recognition!.FlushAsync(ct); }
            catch (Exception ex) when (ex is not OperationCanceledException) { _sttFailure ??= ex; return; }
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
                if (!_recognitionClosing && !ct.IsCancellationRequested)
                    _sttFailure ??= new VoiceProviderException("speech recognition stopped before the call ended");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The client reconnects inside; an exception here means it gave up. The input loop ends the call.
                _sttFailure ??= ex;
            }
        }

        /// <summary>A recognizer that died for good must not leave the caller talking to silence: apologise and end.</summary>
        private void CheckRecognizer()
        {
            if (_sttFailure is not { } failure || _failing || _ending) return;
            _failing = true;
            StartTurn(_ => EndAfterFailureAsync(new PipelineFailure(PipelineFailure.Stt, _stt.Name, failure)));
        }

        private void CheckSilence()
        {
            if (_ending || _machineSince is not null || _transferring || _inSpeech || _ctx.Speech.IsSpeaking || !_turnTask.IsCompleted) return;
            if (_ctx.Clock.GetUtcNow() - _lastUserActivity < SilenceTimeout) return;
            _lastUserActivity = _ctx.Clock.GetUtcNow();
            if (!_reprompted)
            {
                _reprompted = true;
                StartTurn(t => SpeakTextAsync(SpokenLines.StillThere(_ctx.Agent.Language), null, t));
            }
            else
            {
                StartTurn(t => EndCallAsync(null, t));
            }
        }

        /// <summary>
        /// The call's cap (partner-api.md §9.11): 30 s before it, a short wrap-up line at the next pause (never over the
        /// caller); at the cap, the farewell and the end. The media session ends the call 10 s after the cap regardless.
        /// </summary>
        private void CheckDeadline()
        {
            if (_ending || _transferring) return; // a transfer in flight decides first (the session's cap is the backstop)
            var now = _ctx.Clock.GetUtcNow();
            if (now >= _deadline)
            {
                _ctx.Logger.LogInformation("Call {CallId} reached its {Max} s cap; saying goodbye", _ctx.Call.Id, _ctx.Call.MaxDurationSecs);
                FinalTurn(EndReasons.MaxDuration, PromptTemplate.RenderOptional(_ctx.Agent.EndCallMessage, _variables) ?? DefaultEndCallMessage);
                return;
            }
            // 30 s before the cap; half-way through calls shorter than a minute (only operators' test calls are).
            var lead = TimeSpan.FromSeconds(Math.Min(WrapUpLead.TotalSeconds, _ctx.Call.MaxDurationSecs / 2.0));
            if (_wrapUpSaid || now < _deadline - lead) return;
            if (_inSpeech || _ctx.Speech.IsSpeaking || !_turnTask.IsCompleted) return; // checked again next second
            _wrapUpSaid = true;
            _history.Add(new ChatMessage(ChatRole.System, "About 30 seconds of this call remain. Wrap up the conversation now."));
            StartTurn(t => SpeakTextAsync(SpokenLines.WrapUp(_ctx.Agent.Language), null, t));
        }

        /// <summary>
        /// The last thing the agent does: stop the turn in progress, say <paramref name="farewell"/> (a barge-in may cut it,
        /// it cannot cancel the end), then hang up with <paramref name="endReason"/>. No turn starts after this.
        /// </summary>
        private void FinalTurn(string endReason, string? farewell)
        {
            if (_ending) return;
            _ending = true;
            _turn?.Cancel();
            var previous = _turnTask;
            _turnTask = Task.Run(async () =>
            {
                await previous.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { });
                try
                {
                    if (_ctx.Speech.IsSpeaking) await _ctx.Speech.ClearAsync();
                    if (!string.IsNullOrWhiteSpace(farewell)) await SpeakTextAsync(farewell, null, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    _ctx.Logger.LogWarning("Call {CallId}: the farewell could not be spoken: {Error}", _ctx.Call.Id, ex.Message);
                }
                await _ctx.Actions.EndCallAsync(endReason);
            });
        }

        // ---- voicemail ----

        private void OnAnswerWindow(bool speech)
        {
            if (_answer!.IsFinal && _machineSince is null) return;
            _answer.OnWindow(_pending, speech);
            if (_answer.Verdict == AnswerVerdict.Machine) OnMachineAnswered();
            if (_machineSince is null || _ending) return;
            _machineSilenceMs = speech ? 0 : _machineSilenceMs + _window * 1000 / 8000;
            // The message goes on the tape: right after the beep, or once the greeting has been quiet for a while.
            if (_answer.BeepEnded || _machineSilenceMs >= MachineGreetingOverMs) LeaveVoicemail();
        }

        /// <summary>An answering machine: stop talking to it; leave the agent's message after its greeting, or hang up.</summary>
        private void OnMachineAnswered()
        {
            if (_machineSince is not null) return;
            _machineSince = _ctx.Clock.GetUtcNow();
            _ctx.Logger.LogInformation("Call {CallId}: answered by a machine ({Evidence})", _ctx.Call.Id, _answer!.Evidence);
            _turn?.Cancel();
            if (_ctx.Speech.IsSpeaking) _ = _ctx.Speech.ClearAsync();
            if (string.IsNullOrWhiteSpace(_ctx.Agent.VoicemailMessage)) FinalTurn(EndReasons.Voicemail, null);
        }

        /// <summary>A greeting that never goes quiet and never beeps still gets the message, after a bounded wait.</summary>
        private void CheckVoicemail()
        {
            if (_machineSince is { } since && !_ending && _ctx.Clock.GetUtcNow() - since >= MaxGreetingWait) LeaveVoicemail();
        }

        private void LeaveVoicemail() =>
            FinalTurn(EndReasons.Voicemail, PromptTemplate.RenderOptional(_ctx.Agent.VoicemailMessage, _variables));

        // ---- agent turns ----

        /// <param name="transcribed">DTMF: the media session already wrote the <c>dtmf</c> transcript entry.</param>
        private void OnUserText(string text, DateTimeOffset speechEndedAt, TimeSpan endpointing, TimeSpan sttFinal, bool transcribed = false)
        {
            if (_answer?.OnTranscript(text) == AnswerVerdict.Machine)
            {
                _ctx.Transcript(new TranscriptTurn("user", "speech", text, speechEndedAt, speechEndedAt, null, false));
                OnMachineAnswered();
                return; // a machine's greeting gets no reply
            }
            _userTurns++;
            _reprompted = false;
            if (!transcribed) _ctx.Transcript(new TranscriptTurn("user", "speech", text, speechEndedAt, speechEndedAt, null, false));
            if (_transferring || _ending) return; // heard and written down, but the call is being handed over
            // A retry must not add the user's words to the history twice.
            StartTurn(t => RespondAsync(text, (speechEndedAt, endpointing, sttFinal), t),
                retry: t => RespondAsync(null, (speechEndedAt, endpointing, sttFinal), t));
        }

        /// <summary>
        /// One cancellation scope per agent turn; a new turn cancels the previous one. Each turn gets its own token (never
        /// the newest turn's), so a turn superseded before it started runs already cancelled.
        /// </summary>
        /// <param name="retry">What to run again after a transient failure (default: <paramref name="run"/>).</param>
        private void StartTurn(Func<CancellationToken, Task> run, Func<CancellationToken, Task>? retry = null)
        {
            if (_ending) return;
            _turn?.Cancel();
            var turn = _turn = new CancellationTokenSource();
            var previous = _turnTask;
            _turnTask = Task.Run(async () =>
            {
                await previous.ContinueWith(_ => { });
                _heardInTurn.Clear();
                try
                {
                    await run(turn.Token);
                    _troubledTurns = 0;
                }
                catch (OperationCanceledException) { }
                catch (Exception ex) when (!_ending)
                {
                    await RecoverTurnAsync(ClassifyTurnFailure(ex), retry ?? run, turn.Token);
                }
            });
        }

        /// <summary>
        /// A turn failed. A transient LLM failure (stream dropped or stalled) is retried once when the caller heard nothing
        /// of the reply yet; when they heard part of it, the agent apologises and listens on (a retry would repeat words).
        /// Anything else, a failed retry, or trouble in two turns running ends the call.
        /// </summary>
        private async Task RecoverTurnAsync(PipelineFailure failure, Func<CancellationToken, Task> retry, CancellationToken turn)
        {
            // TTS failures were already retried sentence by sentence.
            var retryable = failure.Role == PipelineFailure.Llm && failure.Transient;
            if (!retryable || _troubledTurns > 0 || turn.IsCancellationRequested)
            {
                if (!retryable || !turn.IsCancellationRequested) await EndAfterFailureAsync(failure);
                return;
            }
            _troubledTurns++;
            try
            {
                if (_heardInTurn.Length == 0)
                {
                    _ctx.Logger.LogWarning("Call {CallId}: {Error}; retrying the turn once", _ctx.Call.Id, failure.Message);
                    await retry(turn);
                    return;
                }
                _ctx.Logger.LogWarning("Call {CallId}: {Error}; apologising and listening on", _ctx.Call.Id, failure.Message);
                var heard = _heardInTurn.ToString().Trim();
                var apology = SpokenLines.ContinueApology(_ctx.Agent.Language);
                await SpeakTextAsync(apology, null, turn);
                _history.Add(new ChatMessage(ChatRole.Assistant, $"{heard} {apology}".Trim()));
            }
            catch (OperationCanceledException) { }
            catch (Exception again) when (!_ending)
            {
                await EndAfterFailureAsync(ClassifyTurnFailure(again));
            }
        }

        /// <summary>TTS failures arrive wrapped by <see cref="SpeakTextAsync"/>; the rest of a turn's failures are the LLM's.</summary>
        private PipelineFailure ClassifyTurnFailure(Exception ex) =>
            ex as PipelineFailure ?? new PipelineFailure(PipelineFailure.Llm, _pipeline.Llm.Provider, ex);

        /// <summary>
        /// A failure the call cannot recover from: the error goes on the call record (logged once), the caller hears an
        /// apology — from the offline voice when the TTS itself failed, or nothing when no voice works — and the call ends.
        /// </summary>
        private async Task EndAfterFailureAsync(PipelineFailure failure)
        {
            _ending = true;
            _failing = true;
            _ctx.Logger.LogError("Call {CallId}: {Error}; ending the call with an apology", _ctx.Call.Id, failure.Message);
            await _ctx.Actions.ReportFailureAsync(failure.Message);
            var voices = failure.Role == PipelineFailure.Tts ? [_offlineTts] : new[] { _tts, _offlineTts == _tts ? null : _offlineTts };
            foreach (var voice in voices.OfType<ITextToSpeech>())
            {
                if (failure.Role == PipelineFailure.Tts && voice == _tts) continue;
                try
                {
                    // The offline fallback voice speaks English.
                    await SpeakTextAsync(SpokenLines.FarewellApology(voice == _tts ? _ctx.Agent.Language : "en"), null, CancellationToken.None, voice: voice);
                    break;
                }
                catch (Exception ex)
                {
                    _ctx.Logger.LogWarning("Call {CallId}: the apology could not be spoken with {Voice}: {Error}", _ctx.Call.Id, voice.Name, ex.Message);
                }
            }
            await _ctx.Actions.EndCallAsync(EndReasons.Failed);
        }

        /// <summary>
        /// One agent reply: LLM text is spoken sentence by sentence as it streams; tool calls run after the stream, their
        /// results go back to the LLM, which then speaks about them (bounded rounds).
        /// </summary>
        private async Task RespondAsync(string? userText, (DateTimeOffset EndedAt, TimeSpan Endpointing, TimeSpan SttFinal)? user, CancellationToken turn)
        {
            if (_ending) return;
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
            AgentTools.TransferCall => TransferAsync(call),
            _ when _tools.Function(call.Name) is { } function => RunFunctionAsync(function, call, turn),
            _ => Task.FromResult<object?>(new { error = $"Unknown tool '{call.Name}'." }),
        };

        /// <summary>
        /// partner-api.md §9.11: say <c>transferMessage</c>, wait until the caller heard it (bounded), ask Smartflo to transfer.
        /// Success ends Awaaz's part of the call; failure is told to the caller, and the LLM reads why and carries on.
        /// Runs on the call's lifetime, not the turn's: the caller cannot talk over their own transfer.
        /// </summary>
        private async Task<object?> TransferAsync(FunctionCallContent call)
        {
            var agent = _ctx.Agent;
            if (!agent.TransferEnabled || agent.TransferNumber is not { } number)
                return new { status = TransferStatus.Failed, reason = "not_enabled", error = "Transferring calls is not enabled for this agent." };
            if (_transferring) return new { status = "in_progress", error = "A transfer of this call is already in progress." };
            _transferring = true;
            try
            {
                var note = call.Arguments is { } args && args.TryGetValue("reason", out var given) && given?.ToString()?.Trim() is { Length: > 0 } r
                    ? r[..Math.Min(r.Length, MaxTransferNoteChars)] : null;
                await AnnounceAsync(PromptTemplate.RenderOptional(agent.TransferMessage, _variables) ?? SpokenLines.TransferHold(_ctx.Agent.Language));
                var outcome = await _ctx.Actions.TransferAsync(number, note);
                if (outcome.Succeeded)
                {
                    _ending = true;
                    return new { status = TransferStatus.Succeeded };
                }
                var failedLine = SpokenLines.TransferFailed(_ctx.Agent.Language);
                await SpeakTextAsync(failedLine, null, _lifetime);
                return new
                {
                    status = TransferStatus.Failed, reason = outcome.Reason, error = outcome.Error,
                    note = $"The caller was told: \"{failedLine}\" Continue helping them; do not promise a transfer.",
                };
            }
            finally
            {
                _transferring = false;
            }
        }

        /// <summary>Speaks the transfer announcement and waits for its mark: its playing time plus at most 10 s. A TTS failure does not stop the transfer.</summary>
        private async Task AnnounceAsync(string text)
        {
            var queued = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var speaking = SpeakTextAsync(text, null, _lifetime, duration => queued.TrySetResult(duration));
            try
            {
                if (await Task.WhenAny(speaking, queued.Task) == queued.Task)
                    await Task.WhenAny(speaking, Task.Delay(await queued.Task + AnnouncementMarkWait, _ctx.Clock, _lifetime));
                if (speaking.IsCompleted) await speaking;
                else _ctx.Logger.LogWarning("Call {CallId}: the transfer announcement's mark did not come back in time; transferring anyway", _ctx.Call.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _ctx.Logger.LogWarning("Call {CallId}: the transfer announcement failed ({Error}); transferring anyway", _ctx.Call.Id, ex.Message);
            }
        }

        /// <summary>
        /// A custom HTTP function: the request starts first and <c>started_message</c> is spoken while it runs; a failure
        /// speaks <c>error_message</c> and tells the LLM so. The turn's token (barge-in, call end) cancels the request.
        /// </summary>
        private async Task<object?> RunFunctionAsync(AgentFunction function, FunctionCallContent call, CancellationToken turn)
        {
            var info = new FunctionCallInfo(_ctx.Call.Id, _ctx.Call.SessionId, _ctx.Call.AgentId, new Dictionary<string, object?>(_variables));
            var request = _functions.InvokeAsync(function, call.Arguments, info, turn);
            if (PromptTemplate.RenderOptional(function.StartedMessage, _variables) is { Length: > 0 } started)
                await SpeakTextAsync(started, null, turn);
            var outcome = await request;
            if (outcome.Succeeded) return outcome.Result;
            var apology = PromptTemplate.RenderOptional(function.ErrorMessage, _variables) ?? SpokenLines.FunctionError(_ctx.Agent.Language);
            await SpeakTextAsync(apology, null, turn);
            return new { error = $"The function failed: {outcome.Error}.", already_said_to_caller = apology };
        }

        /// <summary>
        /// Speaks one sentence and writes the bot turn, truncated to what the caller heard. A sentence whose stream broke
        /// or stalled beyond the client's own reconnects is spoken again once (from its start: the client could not tell
        /// what was heard); any other TTS failure is a <see cref="PipelineFailure"/>.
        /// </summary>
        /// <param name="queued">Called with the utterance's playing time once all of its audio is handed to the speech output.</param>
        /// <param name="voice">Another synthesizer than the pipeline's (the offline apology); its failures are not retried.</param>
        private async Task SpeakTextAsync(string text, ((DateTimeOffset EndedAt, TimeSpan Endpointing, TimeSpan SttFinal) User, TimeSpan LlmFirstToken)? measured,
            CancellationToken turn, Action<TimeSpan>? queued = null, ITextToSpeech? voice = null)
        {
            var started = _ctx.Clock.GetUtcNow();
            var ttsStarted = Stopwatch.GetTimestamp();
            TimeSpan? ttsFirstByte = null;
            var tts = voice ?? _tts;
            var options = voice is null || voice == _tts
                ? new SpeechSynthesisOptions(_pipeline.Tts.Voice ?? "en-us", _pipeline.Stt.Language, _pipeline.Tts.Model)
                : new SpeechSynthesisOptions("en-us", "en"); // the offline fallback voice (its apology is English)
            async IAsyncEnumerable<ReadOnlyMemory<byte>> Audio()
            {
                long bytes = 0;
                await foreach (var chunk in tts.SynthesizeAsync(text, options, turn))
                {
                    ttsFirstByte ??= Stopwatch.GetElapsedTime(ttsStarted);
                    bytes += chunk.Length;
                    yield return chunk;
                }
                queued?.Invoke(TimeSpan.FromSeconds(bytes / 8000.0)); // 8 kHz µ-law: one byte per sample
            }
            SpeechPlayback playback;
            try
            {
                playback = await _ctx.Speech.SpeakAsync(Audio(), turn);
            }
            catch (Exception ex) when (voice is null && PipelineFailure.IsTransient(ex) && !turn.IsCancellationRequested)
            {
                _ctx.Logger.LogWarning("Call {CallId}: {Provider} TTS failed mid-sentence ({Error}); speaking the sentence again", _ctx.Call.Id, tts.Name, ex.Message);
                try { playback = await _ctx.Speech.SpeakAsync(Audio(), turn); }
                catch (Exception again) when (again is not OperationCanceledException) { throw new PipelineFailure(PipelineFailure.Tts, tts.Name, again); }
            }
            catch (Exception ex) when (voice is null && ex is not OperationCanceledException)
            {
                throw new PipelineFailure(PipelineFailure.Tts, tts.Name, ex);
            }
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
            _heardInTurn.Append(heard).Append(' ');
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
