<?xml version="1.0" encoding="utf-8"?>
<!--
  capacity.xsl - back-of-the-envelope capacity figures from a web.config's request limits,
  for the ops hand-over sheet (plain text).

  Read from the file (IIS / ASP.NET defaults where an attribute is missing):
    httpRuntime/@maxRequestLength (KB, 4096), httpRuntime/@executionTimeout (s, 110),
    requestLimits/@maxAllowedContentLength (bytes, 30000000), sessionState/@timeout (min, 20),
    clientCache/@cacheControlMaxAge (d.hh:mm:ss).
  Computed:
    * the upload limit that wins (math:min of the two) and how far apart they are (math:abs);
    * the largest power of two under it (math:log, math:power);
    * how long that upload takes on a $uplink-mbps link;
    * for $users users with $think-time seconds between requests: requests per second, the
      bandwidth at $response-kb per response, sessions in memory, and the worker threads a
      square-root staffing rule asks for (math:sqrt);
    * the static-content cache lifetime in seconds.

  EXSLT: math:min, math:max, math:abs, math:power, math:sqrt, math:log, math:lowest,
  exsl:node-set; function-available() guards math:sqrt.
  Parameters: users, think-time, response-kb, uplink-mbps.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:math="http://exslt.org/math"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="math exsl">

  <xsl:output method="text" encoding="utf-8"/>

  <xsl:param name="users" select="400"/>
  <xsl:param name="think-time" select="30"/>
  <xsl:param name="response-kb" select="48"/>
  <xsl:param name="uplink-mbps" select="10"/>

  <xsl:variable name="runtime" select="(//*[local-name() = 'httpRuntime'])[1]"/>
  <xsl:variable name="request-limits" select="(//*[local-name() = 'requestLimits'])[1]"/>
  <xsl:variable name="session" select="(//*[local-name() = 'sessionState'])[1]"/>
  <xsl:variable name="cache" select="(//*[local-name() = 'clientCache'])[1]"/>

  <xsl:template name="or-default">
    <xsl:param name="value"/>
    <xsl:param name="default"/>
    <xsl:choose>
      <xsl:when test="string(number($value)) != 'NaN'">
        <xsl:value-of select="number($value)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$default"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/">
    <xsl:variable name="max-request-kb">
      <xsl:call-template name="or-default">
        <xsl:with-param name="value" select="$runtime/@maxRequestLength"/>
        <xsl:with-param name="default" select="4096"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="max-content">
      <xsl:call-template name="or-default">
        <xsl:with-param name="value" select="$request-limits/@maxAllowedContentLength"/>
        <xsl:with-param name="default" select="30000000"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="timeout">
      <xsl:call-template name="or-default">
        <xsl:with-param name="value" select="$runtime/@executionTimeout"/>
        <xsl:with-param name="default" select="110"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="session-minutes">
      <xsl:call-template name="or-default">
        <xsl:with-param name="value" select="$session/@timeout"/>
        <xsl:with-param name="default" select="20"/>
      </xsl:call-template>
    </xsl:variable>

    <xsl:variable name="limits-rtf">
      <limit name="maxRequestLength"><xsl:value-of select="$max-request-kb * 1024"/></limit>
      <limit name="maxAllowedContentLength"><xsl:value-of select="$max-content"/></limit>
    </xsl:variable>
    <xsl:variable name="limits" select="exsl:node-set($limits-rtf)/limit"/>
    <xsl:variable name="upload" select="math:min($limits)"/>

    <xsl:text>Request limits&#10;</xsl:text>
    <xsl:value-of select="concat('  maxRequestLength         ', $max-request-kb, ' KB',
                                 substring(' (default)', 1, 10 * not($runtime/@maxRequestLength)), '&#10;')"/>
    <xsl:value-of select="concat('  maxAllowedContentLength  ', $max-content, ' bytes',
                                 substring(' (default)', 1, 10 * not($request-limits/@maxAllowedContentLength)), '&#10;')"/>
    <xsl:value-of select="concat('  uploads stop at          ', $upload, ' bytes (',
                                 format-number($upload div 1048576, '0.00'), ' MiB), set by ',
                                 math:lowest($limits)[1]/@name, '&#10;')"/>
    <xsl:value-of select="concat('  the two differ by        ', math:abs($limits[1] - $limits[2]) div 1024, ' KB: ',
                                 math:max($limits), ' is never reached&#10;')"/>
    <xsl:variable name="bits" select="floor(math:log($upload) div math:log(2))"/>
    <xsl:value-of select="concat('  largest power of two     2^', $bits, ' = ', math:power(2, $bits), ' bytes&#10;')"/>
    <xsl:value-of select="concat('  upload time at ', $uplink-mbps, ' Mbit/s  ',
                                 format-number($upload * 8 div ($uplink-mbps * 1000000), '0.0'),
                                 ' s (execution timeout ', $timeout, ' s)&#10;')"/>

    <xsl:variable name="rps" select="$users div $think-time"/>
    <xsl:text>&#10;Load for </xsl:text>
    <xsl:value-of select="concat($users, ' users, one request every ', $think-time, ' s&#10;')"/>
    <xsl:value-of select="concat('  requests per second      ', format-number($rps, '0.##'), '&#10;')"/>
    <xsl:value-of select="concat('  bandwidth                ',
                                 format-number($rps * $response-kb * 8 div 1000, '0.00'), ' Mbit/s&#10;')"/>
    <xsl:value-of select="concat('  sessions held            ',
                                 round($rps * $session-minutes * 60), ' (', $session-minutes, ' min timeout)&#10;')"/>
    <xsl:if test="function-available('math:sqrt')">
      <!-- square-root staffing: offered load plus a safety margin of its square root -->
      <xsl:variable name="load" select="$rps * 0.25"/>
      <!-- formatted: a bare double prints differently in webxsl (shortest round trip) and
           libxml2 (15 digits), see docs/xpath.md -->
      <xsl:value-of select="concat('  offered load             ', format-number($load, '0.###'), ' busy threads&#10;')"/>
      <xsl:value-of select="concat('  worker threads           ', ceiling($load + 2 * math:sqrt($load)),
                                   ' (sqrt margin ', format-number(math:sqrt($load), '0.000'), ')&#10;')"/>
    </xsl:if>
    <xsl:value-of select="concat('  busiest hour, x2.5       ', round($rps * 2.5 * 3600), ' requests&#10;')"/>

    <xsl:if test="$cache/@cacheControlMaxAge">
      <xsl:variable name="age" select="$cache/@cacheControlMaxAge"/>
      <xsl:variable name="days" select="number(substring-before($age, '.'))"/>
      <xsl:variable name="hms" select="substring-after($age, '.')"/>
      <xsl:variable name="seconds"
          select="$days * 86400 + substring($hms, 1, 2) * 3600 + substring($hms, 4, 2) * 60 + substring($hms, 7, 2)"/>
      <xsl:text>&#10;Static content&#10;</xsl:text>
      <xsl:value-of select="concat('  cache max-age            ', $seconds, ' s = ', $age,
                                   ' (', format-number($seconds div math:power(60, 2), '#,##0'), ' h)&#10;')"/>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
