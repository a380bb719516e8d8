using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Tests.Discord;

public sealed class DiscordCommandDefinitionsTests
{
    // What the bot has registered since /alerts was added, one command a line. The registrar overwrites Discord's copy
    // whenever the projection differs (spending the daily command-create budget), so a change here must be deliberate.
    private const string RegisteredPayload = """
        [
        {"name":"case","type":1,"description":"Look up detainee cases","options":[{"type":1,"name":"lookup","description":"Show a case","options":[{"type":3,"name":"query","description":"Name, alias or case id","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"history","description":"Show a case's status history","options":[{"type":3,"name":"query","description":"Name, alias or case id","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"update","description":"Set a case's status by hand (admins; opens a form)","options":[{"type":3,"name":"query","description":"Name, alias or case id","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"add","description":"Add a case by hand (admins; opens a form)"}],"contexts":[0],"integration_types":[0]},
        {"name":"watchlist","type":1,"description":"Manage this channel's alert watchlist","options":[{"type":1,"name":"add","description":"Watch a case in this channel","options":[{"type":3,"name":"query","description":"Name, alias or case id","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"remove","description":"Stop watching a case in this channel","options":[{"type":3,"name":"query","description":"Name, alias or case id","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"list","description":"List cases watched in this channel"},{"type":1,"name":"follow","description":"Follow every case matching a rule in this channel","options":[{"type":3,"name":"country","description":"Country where held: a name or ISO code (Iran, IR)","min_length":1,"max_length":100},{"type":3,"name":"nationality","description":"Nationality: a country name or ISO code (US)","min_length":1,"max_length":100},{"type":3,"name":"held_by","description":"Held by (as the feeds write it)","min_length":1,"max_length":100},{"type":3,"name":"status","description":"Statuses, separated by commas (detained, charged)","min_length":1,"max_length":200},{"type":3,"name":"source","description":"A source name","min_length":1,"max_length":100}]},{"type":1,"name":"unfollow","description":"Stop following a rule in this channel","options":[{"type":3,"name":"rule","description":"The rule's id from /watchlist list","required":true,"min_length":1,"max_length":20}]},{"type":1,"name":"mute","description":"Record a case's changes here without posting them, for a while","options":[{"type":3,"name":"query","description":"Name, alias or case id, or all","required":true,"autocomplete":true,"min_length":1,"max_length":100},{"type":3,"name":"for","description":"How long: 30m, 24h, 7d (1 minute to 90 days)","required":true,"min_length":1,"max_length":10}]},{"type":1,"name":"unmute","description":"Post a muted case's changes here again","options":[{"type":3,"name":"query","description":"Name, alias or case id, or all","required":true,"autocomplete":true,"min_length":1,"max_length":100}]},{"type":1,"name":"digest","description":"Post this channel's changes as one summary per day or week","options":[{"type":3,"name":"schedule","description":"off, daily HH:MM Zone, or weekly DAY HH:MM Zone (daily 09:00 Europe/Berlin)","required":true,"min_length":1,"max_length":60}]},{"type":1,"name":"style","description":"How this channel hears about changes","options":[{"type":3,"name":"style","description":"card (one living card per case) or plain (one message per change)","required":true,"min_length":1,"max_length":10,"choices":[{"name":"card","value":"card"},{"name":"plain","value":"plain"}]}]}],"contexts":[0],"integration_types":[0]},
        {"name":"alerts","type":1,"description":"Alert delivery: what waits, what could not be sent","options":[{"type":1,"name":"status","description":"Pending, waiting and dead alerts"},{"type":1,"name":"dead","description":"List alerts that could not be delivered (admins)"},{"type":1,"name":"retry","description":"Send dead letters again (admins)","options":[{"type":3,"name":"id","description":"A delivery id from /alerts dead, or all","required":true,"min_length":1,"max_length":40}]}],"contexts":[0],"integration_types":[0]}
        ]
        """;

    [Fact]
    public void Build_IsTheRegisteredPayload()
    {
        var built = JsonNode.Parse(DiscordJson.Serialize(DiscordCommandDefinitions.Build()));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(RegisteredPayload), built), built!.ToJsonString());
    }
}
