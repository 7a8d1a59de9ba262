//! Hosts known to let an attacker run script despite a CSP host allowlist: JSONP endpoints and
//! AngularJS libraries (for `script-src`), Flash files (for `object-src`).
//!
//! The lists are csp-evaluator's (Google, npm `csp_evaluator` 1.1.8, `allowlist_bypasses/`,
//! Apache-2.0), compiled in; `tests/csp_differential.rs` checks them, entry for entry and in
//! order, against `../shared/reference/csp-evaluator/allowlist-bypasses.tsv`. Entries are
//! protocol-relative URLs (`//host/path`); the first match names the host in a finding.

/// JSONP endpoints: a page on these hosts answers with script that calls a name the request chooses.
pub static JSONP: &[&str] = &[
    "//bebezoo.1688.com/fragment/index.htm",
    "//www.google-analytics.com/gtm/js",
    "//googleads.g.doubleclick.net/pagead/conversion/1036918760/wcm",
    "//www.googleadservices.com/pagead/conversion/1070110417/wcm",
    "//www.google.com/tools/feedback/escalation-options",
    "//pin.aliyun.com/check_audio",
    "//offer.alibaba.com/market/CID100002954/5/fetchKeyword.do",
    "//ccrprod.alipay.com/ccr/arriveTime.json",
    "//group.aliexpress.com/ajaxAcquireGroupbuyProduct.do",
    "//detector.alicdn.com/2.7.3/index.php",
    "//suggest.taobao.com/sug",
    "//translate.google.com/translate_a/l",
    "//count.tbcdn.cn//counter3",
    "//wb.amap.com/channel.php",
    "//translate.googleapis.com/translate_a/l",
    "//afpeng.alimama.com/ex",
    "//accounts.google.com/o/oauth2/revoke",
    "//pagead2.googlesyndication.com/relatedsearch",
    "//yandex.ru/soft/browsers/check",
    "//api.facebook.com/restserver.php",
    "//mts0.googleapis.com/maps/vt",
    "//syndication.twitter.com/widgets/timelines/765840589183213568",
    "//www.youtube.com/profile_style",
    "//googletagmanager.com/gtm/js",
    "//mc.yandex.ru/watch/24306916/1",
    "//share.yandex.net/counter/gpp/",
    "//ok.go.mail.ru/lady_on_lady_recipes_r.json",
    "//d1f69o4buvlrj5.cloudfront.net/__efa_15_1_ornpba.xekq.arg/optout_check",
    "//www.googletagmanager.com/gtm/js",
    "//api.vk.com/method/wall.get",
    "//www.sharethis.com/get-publisher-info.php",
    "//google.ru/maps/vt",
    "//pro.netrox.sc/oapi/h_checksite.ashx",
    "//vimeo.com/api/oembed.json/",
    "//de.blog.newrelic.com/wp-admin/admin-ajax.php",
    "//ajax.googleapis.com/ajax/services/search/news",
    "//ssl.google-analytics.com/gtm/js",
    "//pubsub.pubnub.com/subscribe/demo/hello_world/",
    "//pass.yandex.ua/services",
    "//id.rambler.ru/script/topline_info.js",
    "//m.addthis.com/live/red_lojson/100eng.json",
    "//passport.ngs.ru/ajax/check",
    "//catalog.api.2gis.ru/ads/search",
    "//gum.criteo.com/sync",
    "//maps.google.com/maps/vt",
    "//ynuf.alipay.com/service/um.json",
    "//securepubads.g.doubleclick.net/gampad/ads",
    "//c.tiles.mapbox.com/v3/texastribune.tx-congress-cvap/6/15/26.grid.json",
    "//rexchange.begun.ru/banners",
    "//an.yandex.ru/page/147484",
    "//links.services.disqus.com/api/ping",
    "//api.map.baidu.com/",
    "//tj.gongchang.com/api/keywordrecomm/",
    "//data.gongchang.com/livegrail/",
    "//ulogin.ru/token.php",
    "//beta.gismeteo.ru/api/informer/layout.js/120x240-3/ru/",
    "//maps.googleapis.com/maps/api/js/GeoPhotoService.GetMetadata",
    "//a.config.skype.com/config/v1/Skype/908_1.33.0.111/SkypePersonalization",
    "//maps.beeline.ru/w",
    "//target.ukr.net/",
    "//www.meteoprog.ua/data/weather/informer/Poltava.js",
    "//cdn.syndication.twimg.com/widgets/timelines/599200054310604802",
    "//wslocker.ru/client/user.chk.php",
    "//community.adobe.com/CommunityPod/getJSON",
    "//maps.google.lv/maps/vt",
    "//dev.virtualearth.net/REST/V1/Imagery/Metadata/AerialWithLabels/26.318581",
    "//awaps.yandex.ru/10/8938/02400400.",
    "//a248.e.akamai.net/h5.hulu.com/h5.mp4",
    "//nominatim.openstreetmap.org/",
    "//plugins.mozilla.org/en-us/plugins_list.json",
    "//h.cackle.me/widget/32153/bootstrap",
    "//graph.facebook.com/1/",
    "//fellowes.ugc.bazaarvoice.com/data/reviews.json",
    "//widgets.pinterest.com/v3/pidgets/boards/ciciwin/hedgehog-squirrel-crafts/pins/",
    "//se.wikipedia.org/w/api.php",
    "//cse.google.com/api/007627024705277327428/cse/r3vs7b0fcli/queries/js",
    "//relap.io/api/v2/similar_pages_jsonp.js",
    "//c1n3.hypercomments.com/stream/subscribe",
    "//maps.google.de/maps/vt",
    "//books.google.com/books",
    "//connect.mail.ru/share_count",
    "//tr.indeed.com/m/newjobs",
    "//www-onepick-opensocial.googleusercontent.com/gadgets/proxy",
    "//www.panoramio.com/map/get_panoramas.php",
    "//client.siteheart.com/streamcli/client",
    "//www.facebook.com/restserver.php",
    "//autocomplete.travelpayouts.com/avia",
    "//www.googleapis.com/freebase/v1/topic/m/0344_",
    "//mts1.googleapis.com/mapslt/ft",
    "//publish.twitter.com/oembed",
    "//fast.wistia.com/embed/medias/o75jtw7654.json",
    "//partner.googleadservices.com/gampad/ads",
    "//pass.yandex.ru/services",
    "//gupiao.baidu.com/stocks/stockbets",
    "//widget.admitad.com/widget/init",
    "//api.instagram.com/v1/tags/partykungen23328/media/recent",
    "//video.media.yql.yahoo.com/v1/video/sapi/streams/063fb76c-6c70-38c5-9bbc-04b7c384de2b",
    "//ib.adnxs.com/jpt",
    "//pass.yandex.com/services",
    "//www.google.de/maps/vt",
    "//clients1.google.com/complete/search",
    "//api.userlike.com/api/chat/slot/proactive/",
    "//www.youku.com/index_cookielist/s/jsonp",
    "//mt1.googleapis.com/mapslt/ft",
    "//api.mixpanel.com/track/",
    "//wpd.b.qq.com/cgi/get_sign.php",
    "//pipes.yahooapis.com/pipes/pipe.run",
    "//gdata.youtube.com/feeds/api/videos/WsJIHN1kNWc",
    "//9.chart.apis.google.com/chart",
    "//cdn.syndication.twitter.com/moments/709229296800440320",
    "//api.flickr.com/services/feeds/photos_friends.gne",
    "//cbks0.googleapis.com/cbk",
    "//www.blogger.com/feeds/5578653387562324002/posts/summary/4427562025302749269",
    "//query.yahooapis.com/v1/public/yql",
    "//kecngantang.blogspot.com/feeds/posts/default/-/Komik",
    "//www.travelpayouts.com/widgets/50f53ce9ada1b54bcc000031.json",
    "//i.cackle.me/widget/32586/bootstrap",
    "//translate.yandex.net/api/v1.5/tr.json/detect",
    "//a.tiles.mapbox.com/v3/zentralmedia.map-n2raeauc.jsonp",
    "//maps.google.ru/maps/vt",
    "//c1n2.hypercomments.com/stream/subscribe",
    "//rec.ydf.yandex.ru/cookie",
    "//cdn.jsdelivr.net",
];

/// Hosts of [`JSONP`] whose endpoints are a bypass only with `'unsafe-eval'`.
pub static JSONP_NEEDS_EVAL: &[&str] = &[
    "googletagmanager.com",
    "www.googletagmanager.com",
    "www.googleadservices.com",
    "google-analytics.com",
    "ssl.google-analytics.com",
    "www.google-analytics.com",
];

/// AngularJS libraries: loading one lets template injection run script.
pub static ANGULAR: &[&str] = &[
    "//gstatic.com/fsn/angular_js-bundle1.js",
    "//www.gstatic.com/fsn/angular_js-bundle1.js",
    "//www.googleadservices.com/pageadimg/imgad",
    "//yandex.st/angularjs/1.2.16/angular-cookies.min.js",
    "//yastatic.net/angularjs/1.2.23/angular.min.js",
    "//yuedust.yuedu.126.net/js/components/angular/angular.js",
    "//art.jobs.netease.com/script/angular.js",
    "//csu-c45.kxcdn.com/angular/angular.js",
    "//elysiumwebsite.s3.amazonaws.com/uploads/blog-media/rockstar/angular.min.js",
    "//inno.blob.core.windows.net/new/libs/AngularJS/1.2.1/angular.min.js",
    "//gift-talk.kakao.com/public/javascripts/angular.min.js",
    "//ajax.googleapis.com/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js",
    "//master-sumok.ru/vendors/angular/angular-cookies.js",
    "//ayicommon-a.akamaihd.net/static/vendor/angular-1.4.2.min.js",
    "//pangxiehaitao.com/framework/angular-1.3.9/angular-animate.min.js",
    "//cdnjs.cloudflare.com/ajax/libs/angular.js/1.2.16/angular.min.js",
    "//96fe3ee995e96e922b6b-d10c35bd0a0de2c718b252bc575fdb73.ssl.cf1.rackcdn.com/angular.js",
    "//oss.maxcdn.com/angularjs/1.2.20/angular.min.js",
    "//reports.zemanta.com/smedia/common/angularjs/1.2.11/angular.js",
    "//cdn.shopify.com/s/files/1/0225/6463/t/1/assets/angular-animate.min.js",
    "//parademanagement.com.s3-website-ap-southeast-1.amazonaws.com/js/angular.min.js",
    "//cdn.jsdelivr.net/angularjs/1.1.2/angular.min.js",
    "//eb2883ede55c53e09fd5-9c145fb03d93709ea57875d307e2d82e.ssl.cf3.rackcdn.com/components/angular-resource.min.js",
    "//andors-trail.googlecode.com/git/AndorsTrailEdit/lib/angular.min.js",
    "//cdn.walkme.com/General/EnvironmentTests/angular/angular.min.js",
    "//laundrymail.com/angular/angular.js",
    "//s3-eu-west-1.amazonaws.com/staticancpa/js/angular-cookies.min.js",
    "//collade.demo.stswp.com/js/vendor/angular.min.js",
    "//mrfishie.github.io/sailor/bower_components/angular/angular.min.js",
    "//askgithub.com/static/js/angular.min.js",
    "//services.amazon.com/solution-providers/assets/vendor/angular-cookies.min.js",
    "//raw.githubusercontent.com/angular/code.angularjs.org/master/1.0.7/angular-resource.js",
    "//prb-resume.appspot.com/bower_components/angular-animate/angular-animate.js",
    "//dl.dropboxusercontent.com/u/30877786/angular.min.js",
    "//static.tumblr.com/x5qdx0r/nPOnngtff/angular-resource.min_1_.js",
    "//storage.googleapis.com/assets-prod.urbansitter.net/us-sym/assets/vendor/angular-sanitize/angular-sanitize.min.js",
    "//twitter.github.io/labella.js/bower_components/angular/angular.min.js",
    "//cdn2-casinoroom.global.ssl.fastly.net/js/lib/angular-animate.min.js",
    "//www.adobe.com/devnet-apps/flashshowcase/lib/angular/angular.1.1.5.min.js",
    "//eternal-sunset.herokuapp.com/bower_components/angular/angular.js",
    "//cdn.bootcss.com/angular.js/1.2.0/angular.min.js",
];

/// Flash files that run script through `object-src`.
pub static FLASH: &[&str] = &[
    "//vk.com/swf/video.swf",
    "//ajax.googleapis.com/ajax/libs/yui/2.8.0r4/build/charts/assets/charts.swf",
];

/// Which list a source matched, and the host of the first matching entry (for the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bypass {
    /// The host of the matching JSONP entry, if any (one needing `'unsafe-eval'` only counts
    /// when the directive allows it).
    pub jsonp: Option<String>,
    /// The host of the matching AngularJS entry, if any.
    pub angular: Option<String>,
}

/// A source expression's host (lower-case) and path, the scheme and port left out: what the
/// lists are matched on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HostPath<'a> {
    /// The host, lower-cased; `*.example.com` for a wildcard.
    pub(super) host: String,
    /// The path as written, `""` when there is none.
    pub(super) path: &'a str,
}

/// The source without its scheme (`https://`, `wss://`...) and without a leading `//`.
pub(super) fn scheme_free(v: &str) -> &str {
    let b = v.as_bytes();
    let scheme_len = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-' | b'_')))
        .unwrap_or(b.len());
    let rest =
        if scheme_len > 0 && b[0].is_ascii_alphanumeric() && v[scheme_len..].starts_with("://") {
            &v[scheme_len + 3..]
        } else {
            v
        };
    rest.strip_prefix("//").unwrap_or(rest)
}

/// Splits a host-source into host and path (`None` for keywords, nonces and bare schemes).
pub(super) fn host_path(v: &str) -> Option<HostPath<'_>> {
    if v.starts_with('\'') || is_scheme_source(v) {
        return None;
    }
    let s = scheme_free(v);
    let host_end = if s.starts_with('[') {
        s.find(']').map_or(s.len(), |i| i + 1)
    } else {
        s.find([':', '/']).unwrap_or(s.len())
    };
    let host = s[..host_end].to_ascii_lowercase();
    let after = &s[host_end..];
    let path = after.find('/').map_or("", |i| &after[i..]);
    Some(HostPath { host, path })
}

/// Whether `v` is a scheme-source (`https:`, `data:`...).
pub(super) fn is_scheme_source(v: &str) -> bool {
    let Some(name) = v.strip_suffix(':') else {
        return false;
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The host of the first entry of `list` that source `src` covers, if any: the same host (or,
/// for `*.example.com`, a subdomain of it), and, when the source has a path, the same path (a
/// path ending in `/` covers everything under it). Scheme and port do not matter.
pub(super) fn first_match(src: &HostPath<'_>, list: &[&'static str]) -> Option<String> {
    let wildcard = src.host.strip_prefix('*');
    let has_path = !src.path.is_empty() && src.path != "/";
    list.iter().find_map(|entry| {
        let e = entry.trim_start_matches('/');
        let (host, path) = match e.find('/') {
            Some(i) => (&e[..i], &e[i..]),
            None => (e, "/"),
        };
        let host_ok = match wildcard {
            Some(suffix) if suffix.starts_with('.') => host.ends_with(suffix),
            _ => host == src.host,
        };
        let path_ok = !has_path
            || if src.path.ends_with('/') {
                path.starts_with(src.path)
            } else {
                path == src.path
            };
        (host_ok && path_ok).then(|| host.to_owned())
    })
}

/// What a `script-src` source is known to serve: JSONP (entries of [`JSONP_NEEDS_EVAL`] hosts
/// only when `eval` is allowed) or AngularJS.
pub fn script_bypass(source: &str, eval: bool) -> Option<Bypass> {
    let hp = host_path(source)?;
    if !hp.host.contains('.') {
        return None;
    }
    let jsonp = first_match(&hp, JSONP).filter(|h| eval || !JSONP_NEEDS_EVAL.contains(&h.as_str()));
    let angular = first_match(&hp, ANGULAR);
    (jsonp.is_some() || angular.is_some()).then_some(Bypass { jsonp, angular })
}

/// The host of the Flash file an `object-src` source is known to serve, if any.
pub fn flash_bypass(source: &str) -> Option<String> {
    first_match(&host_path(source)?, FLASH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_paths_and_wildcards_match_as_csp_evaluator_matches_them() {
        let s = |v| script_bypass(v, false);
        let host = |b: Option<Bypass>| b.map(|b| (b.jsonp, b.angular));
        assert!(s("www.google.com").is_some());
        assert!(s("HTTPS://WWW.Google.com:443").is_some());
        assert!(s("google.com").is_none(), "not the same host");
        assert!(s("*.google.com").is_some(), "a subdomain is listed");
        assert!(s("*.example.invalid").is_none());
        assert!(
            s("www.google.com/tools/").is_some(),
            "a path prefix of an entry"
        );
        assert!(
            s("www.google.com/Tools/").is_none(),
            "paths are case-sensitive"
        );
        assert!(
            s("www.google.com/tools").is_none(),
            "without '/' the path must be equal"
        );
        assert!(s("'self'").is_none() && s("https:").is_none() && s("localhost").is_none());
        // Both lists: the AngularJS host is reported too.
        let both = host(s("ajax.googleapis.com")).unwrap();
        assert!(both.0.is_some() && both.1.is_some(), "{both:?}");
        // JSONP on Google Analytics only with 'unsafe-eval'.
        assert!(s("www.google-analytics.com").is_none());
        assert!(script_bypass("www.google-analytics.com", true).is_some());
        assert_eq!(
            flash_bypass("https://vk.com/swf/").as_deref(),
            Some("vk.com")
        );
        assert_eq!(flash_bypass("cdn.example.com"), None);
    }

    #[test]
    fn sources_split_into_host_and_path() {
        let hp = |v| host_path(v).map(|h| (h.host, h.path.to_owned()));
        assert_eq!(
            hp("https://A.com:8443/x/y"),
            Some(("a.com".into(), "/x/y".into()))
        );
        assert_eq!(hp("//a.com"), Some(("a.com".into(), "".into())));
        assert_eq!(hp("[::1]:80/p"), Some(("[::1]".into(), "/p".into())));
        assert_eq!(hp("data:"), None);
        assert_eq!(scheme_free("wss://a.b"), "a.b");
        assert_eq!(scheme_free("a.b"), "a.b");
    }
}
