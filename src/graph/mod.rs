//! The Microsoft Graph client: one reqwest client, the token source, the shared throttle, typed
//! calls, paging, `$batch` and the classification of every response.
