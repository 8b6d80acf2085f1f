namespace Awaaz.Server.Calls;

/// <summary>The call object (partner-api.md §10.3) and its session (§10.4).</summary>
public static class CallJson
{
    public static Dictionary<string, object?> Call(Call c, bool withSession, string? recordingUrl = null)
    {
        var json = new Dictionary<string, object?>
        {
            ["call_id"] = c.Id,
            ["session_id"] = c.SessionId,
            ["agent_id"] = c.AgentId,
            ["agent_name"] = c.AgentName,
            ["direction"] = c.Direction,
            ["provider"] = Telephony.TelephonyProviders.TataSmartflo,
            ["connection_id"] = c.ConnectionId,
            ["campaign_id"] = null,
            ["from_number"] = c.FromNumber,
            ["to_number"] = c.ToNumber,
            ["status"] = c.Status,
            ["disposition"] = c.Disposition,
            ["answered_by"] = c.AnsweredBy,
            ["end_reason"] = c.EndReason,
            ["duration_seconds"] = c.DurationSeconds,
            ["error_message"] = c.ErrorMessage,
            ["variables"] = c.Variables,
            ["transfer"] = c.Transfer is { } t
                ? new { number = t.Number, status = t.Status, requested_at = t.RequestedAt, error = t.Error, reason = t.Reason, note = t.Note }
                : null,
            ["credits_used"] = null,
            ["cost"] = null,
            ["telephony"] = new
            {
                provider_call_id = c.ProviderCallId ?? c.StreamCallSid,
                provider_uuid = c.ProviderUuid,
                ref_id = c.RefId,
                stream_sid = c.StreamSid,
                billsec = c.Billsec,
                hangup_cause = c.HangupCause,
                hangup_cause_code = c.HangupCauseCode,
                provider_stop_reason = c.ProviderStopReason,
                provider_recording_url = c.ProviderRecordingUrl,
            },
            ["created_at"] = c.CreatedAt,
            ["ringing_at"] = c.RingingAt,
            ["started_at"] = c.StartedAt,
            ["ended_at"] = c.EndedAt,
        };
        if (withSession) json["session"] = Session(c, recordingUrl);
        return json;
    }

    private static object Session(Call c, string? recordingUrl)
    {
        var latencies = c.Transcript.Where(t => t.LatencyMs is not null).Select(t => t.LatencyMs!.Value).Order().ToList();
        return new
        {
            session_id = c.SessionId,
            status = c.IsTerminal ? "completed" : "active",
            duration_seconds = c.DurationSeconds,
            credits_used = (decimal?)null,
            processing_complete = c.IsTerminal,
            pipeline_completed_at = c.IsTerminal ? c.EndedAt : null,
            transcript = c.Transcript.Select(t => new
            {
                role = t.Role, type = t.Type, content = t.Content, timestamp = t.Timestamp, end_timestamp = t.EndTimestamp,
                latency_ms = t.LatencyMs, interrupted = t.Interrupted,
                latency_breakdown = t.Breakdown is { } b
                    ? new { endpointing_ms = b.Endpointing, stt_final_ms = b.SttFinal, llm_first_token_ms = b.LlmFirstToken, tts_first_byte_ms = b.TtsFirstByte, orchestration_ms = b.Orchestration }
                    : null,
            }),
            latency = latencies.Count == 0
                ? new { min_ms = (int?)null, max_ms = (int?)null, avg_ms = (int?)null, p50_ms = (int?)null, p95_ms = (int?)null }
                : new
                {
                    min_ms = (int?)latencies[0], max_ms = (int?)latencies[^1], avg_ms = (int?)(int)Math.Round(latencies.Average()),
                    p50_ms = (int?)Percentile(latencies, 0.50), p95_ms = (int?)Percentile(latencies, 0.95),
                },
            recording_url = recordingUrl,
            started_at = c.StartedAt,
            ended_at = c.EndedAt,
            extraction = (object?)null,
        };
    }

    private static int Percentile(List<int> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
