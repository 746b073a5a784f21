import Foundation
import PostgresNIO

/// The query an evaluation reads profiles' events with: every event `event_profiles` attaches to them, in
/// the order `first` and `last` break ties by (time, arrival, message id), with the parts of the message the
/// computed traits and consent read, at their own paths (sealed values are bound to their path): of the
/// context only the user agent, device, OS, campaign and consent, not the traits, IP, page or library that
/// arrive there too (sealed personal values among them, which would be opened for nothing). Public so that
/// the segmentation benchmark times the same query.
public enum ProfileEventsQuery {
    /// Profile id, message id, source id, type, event name, event time, and the message's parts as JSON text.
    public typealias Row = (UUID, String, UUID, String, String?, Date, String)

    public static func query(_ profiles: [UUID], in workspaceID: UUID) -> PostgresQuery {
        """
        SELECT ep.profile_id, e.message_id, e.source_id, e.type, e.event, ep.event_time,
               jsonb_build_object('anonymousId', e.message->'anonymousId', 'properties', e.message->'properties',
                                  'context', jsonb_build_object('userAgent', e.message->'context'->'userAgent',
                                                                'device', e.message->'context'->'device', 'os', e.message->'context'->'os',
                                                                'campaign', e.message->'context'->'campaign',
                                                                'consent', e.message->'context'->'consent'))::text
        FROM event_profiles ep
        JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
        WHERE ep.workspace_id = \(workspaceID) AND ep.profile_id = ANY(\(profiles)::uuid[])
        ORDER BY ep.event_time, ep.received_at, ep.message_id COLLATE "C"
        """
    }
}
